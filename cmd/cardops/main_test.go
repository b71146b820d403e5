package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cardops/store"
)

// testConfigHome is the tests' configuration directory: the default key
// files go there, never into the home of whoever runs the tests.
var testConfigHome string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cardops-config-")
	if err != nil {
		panic(err)
	}
	testConfigHome = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// env is an environment of vars; new password hashes take the lowest bcrypt
// cost unless vars says otherwise, so the tests run fast, and the default
// key files go to testConfigHome.
func env(vars map[string]string) func(string) string {
	return func(k string) string {
		v, ok := vars[k]
		switch {
		case ok:
			return v
		case k == "CARDOPS_BCRYPT_COST":
			return "4"
		case k == "XDG_CONFIG_HOME":
			return testConfigHome
		}
		return ""
	}
}

// openAsCLI opens db with the key file the commands use by default, as a
// command run with env(nil) would.
func openAsCLI(ctx context.Context, db string) (*store.Store, error) {
	kf, err := store.PANKeyFileFor(env(nil), db)
	if err != nil {
		return nil, err
	}
	return store.OpenWith(ctx, db, store.Options{PANKeyFile: kf, MakePANKeyDir: true})
}

func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
		wantOut string
	}{
		{"good", []string{"user", "add", "alice", "--level", "3"}, "a fine password\n", "", "created user alice at level 3 (Admin)"},
		{"flags before name", []string{"user", "add", "--level", "1", "bob"}, "a fine password\n", "", "created user bob at level 1"},
		{"duplicate", []string{"user", "add", "alice", "--level", "2"}, "a fine password\n", "already exists", ""},
		{"bad level", []string{"user", "add", "carol", "--level", "4"}, "a fine password\n", "--level must be 1, 2 or 3", ""},
		{"missing level", []string{"user", "add", "carol"}, "a fine password\n", "--level must be 1, 2 or 3", ""},
		{"short password", []string{"user", "add", "carol", "--level", "1"}, "short\n", "at least 10 characters", ""},
		{"empty password", []string{"user", "add", "carol", "--level", "1"}, "", "empty password", ""},
		{"no name", []string{"user", "add", "--level", "1"}, "a fine password\n", "give the user's name", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, getenv, strings.NewReader(tc.stdin), &out, &errOut)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("run = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("run = %v", err)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "list"}, getenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "alice") || !strings.Contains(out.String(), "3 Admin") || strings.Contains(out.String(), "carol") {
		t.Errorf("user list = %q, want alice at level 3 and no carol", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	err := run(context.Background(), []string{"frobnicate"}, env(nil), nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("run = %v, want unknown command", err)
	}
}

func TestBadEnvironmentValue(t *testing.T) {
	err := run(context.Background(), []string{"serve"}, env(map[string]string{"CARDOPS_DEMO": "maybe"}), nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "CARDOPS_DEMO") {
		t.Errorf("run = %v, want an error naming CARDOPS_DEMO", err)
	}
}

func TestUserReset(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	if err := run(context.Background(), []string{"user", "add", "alice", "--level", "3"}, getenv, strings.NewReader("a fine password\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
		wantOut string
		signsIn string // a password that must sign in afterwards
	}{
		{"unknown user", []string{"user", "reset", "bob"}, "", "there is no user", "", "a fine password"},
		{"no name", []string{"user", "reset"}, "", "give the user's name", "", ""},
		{"short password from stdin", []string{"user", "reset", "alice", "--password-stdin"}, "short\n", "at least 10 characters", "", "a fine password"},
		{"password from stdin", []string{"user", "reset", "alice", "--password-stdin"}, "another fine password\n", "", "new password set for alice", "another fine password"},
		{"random password", []string{"user", "reset", "alice"}, "", "", "new password for alice (level 3, Admin): ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, getenv, strings.NewReader(tc.stdin), &out, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("run = %v, want an error containing %q", err, tc.wantErr)
				}
			} else if err != nil || !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("run = %v, output %q; want %q", err, out.String(), tc.wantOut)
			}
			pw := tc.signsIn
			if tc.wantOut != "" && pw == "" {
				pw = strings.TrimSpace(strings.SplitN(strings.SplitN(out.String(), "Admin): ", 2)[1], "\n", 2)[0])
			}
			if pw == "" {
				return
			}
			st, err := openAsCLI(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Authenticate(context.Background(), "alice", pw); err != nil {
				t.Errorf("password %q does not sign in: %v", pw, err)
			}
		})
	}
}

// TestCommandsTakeThePANKey: every command opens the database with the
// configured card-number key and refuses a wrong one.
func TestCommandsTakeThePANKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cli.db")
	if err := run(context.Background(), []string{"seed", "--cards", "3", "--db", db}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	keyFile, err := store.PANKeyFileFor(env(nil), db)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("seed made no key file: %v", err)
	}
	right := strings.TrimSpace(string(raw))
	wrong := strings.Repeat("ab", store.PANKeySize)
	wrongFile := filepath.Join(dir, "wrong.pankey")
	os.WriteFile(wrongFile, []byte(wrong), 0o600)
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"default key file", []string{"user", "list", "--db", db}, nil, ""},
		{"key in the environment", []string{"user", "list", "--db", db}, map[string]string{"CARDOPS_PAN_KEY": right}, ""},
		{"wrong key in the environment", []string{"user", "list", "--db", db}, map[string]string{"CARDOPS_PAN_KEY": wrong}, "another key"},
		{"malformed key in the environment", []string{"seed", "--cards", "1", "--db", db}, map[string]string{"CARDOPS_PAN_KEY": "1234"}, "CARDOPS_PAN_KEY: want 32 bytes"},
		{"wrong key file", []string{"seed", "--cards", "1", "--db", db, "--pan-key-file", wrongFile}, nil, "another key"},
		{"wrong key file from the environment", []string{"user", "list", "--db", db}, map[string]string{"CARDOPS_PAN_KEY_FILE": wrongFile}, "another key"},
		{"both", []string{"user", "list", "--db", db, "--pan-key-file", wrongFile}, map[string]string{"CARDOPS_PAN_KEY": right}, "not both"},
		{"API keys: key in the environment", []string{"apikey", "list", "--db", db}, map[string]string{"CARDOPS_PAN_KEY": right}, ""},
		{"API keys: wrong key in the environment", []string{"apikey", "list", "--db", db}, map[string]string{"CARDOPS_PAN_KEY": wrong}, "another key"},
		{"API keys: wrong key file", []string{"apikey", "add", "ci", "--level", "1", "--db", db, "--pan-key-file", wrongFile}, nil, "another key"},
		{"API keys: wrong key file from the environment", []string{"apikey", "revoke", "1", "--db", db}, map[string]string{"CARDOPS_PAN_KEY_FILE": wrongFile}, "another key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(context.Background(), tc.args, env(tc.env), nil, io.Discard, io.Discard)
			if tc.wantErr == "" && err != nil {
				t.Errorf("run = %v, want success", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("run = %v, want an error containing %q", err, tc.wantErr)
			}
			if tc.wantErr != "" && err != nil && strings.Contains(err.Error(), right) {
				t.Error("the error shows the key")
			}
		})
	}
	// In production the key may live in a secrets store (README): with
	// no key file, every command takes the key from the environment, an
	// API key's too.
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"apikey", "add", "ops", "--level", "1", "--db", db}, {"apikey", "list", "--db", db}, {"user", "list", "--db", db}} {
		if err := run(context.Background(), args, env(map[string]string{"CARDOPS_PAN_KEY": right}), nil, io.Discard, io.Discard); err != nil {
			t.Errorf("%v with the key only in the environment: %v", args, err)
		}
	}
	if _, err := os.Stat(keyFile); err == nil {
		t.Error("a command wrote a key file although the key came from the environment")
	}
}

// TestUserUnlock: an account locked by failed sign-ins is unlocked from the
// terminal, when no admin can sign in to do it.
func TestUserUnlock(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	ctx := context.Background()
	if err := run(ctx, []string{"user", "add", "alice", "--level", "3"}, getenv, strings.NewReader("a fine password\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := st.ReserveSignIn(ctx, "alice", "192.0.2.7"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ReserveSignIn(ctx, "alice", "192.0.2.7"); err == nil {
		t.Fatal("sixth try was let through, want the account throttled")
	}
	st.Close()

	if err := run(ctx, []string{"user", "unlock", "bob"}, getenv, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "there is no user") {
		t.Errorf("unlock bob = %v, want 'there is no user'", err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "unlock", "alice"}, getenv, nil, &out, &out); err != nil || !strings.Contains(out.String(), "alice is unlocked: 5 failed") {
		t.Fatalf("unlock alice = %v, output %q", err, out.String())
	}
	st, err = openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.ReserveSignIn(ctx, "alice", "192.0.2.7"); err != nil {
		t.Errorf("after unlock: %v, want the try let through", err)
	}
	rows, err := st.AuditLog(ctx, store.AuditFilter{Actor: "cli"})
	if err != nil || len(rows) == 0 {
		t.Errorf("audit rows by cli = %v (%v), want the unlock audited", rows, err)
	}
}

// TestMigrationsAreToldOnUpgrade: opening a database that an older cardops
// made says which migration runs and how long it took (on a large database
// one can take minutes); a fresh database is made without a word.
func TestMigrationsAreToldOnUpgrade(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	ctx := context.Background()
	var fresh bytes.Buffer
	if err := run(ctx, []string{"user", "add", "alice", "--level", "3"}, getenv, strings.NewReader("a fine password\n"), io.Discard, &fresh); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(fresh.String(), "migrat") {
		t.Errorf("a fresh database told of migrations:\n%s", fresh.String())
	}
	// The database as the release before 0024 left it.
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM schema_migrations WHERE version = 24`,
		`CREATE INDEX webhook_events_card_time ON webhook_events(card_id, received_at, id) WHERE card_id <> ''`} {
		if _, err := st.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	var upgrade bytes.Buffer
	if err := run(ctx, []string{"user", "list"}, getenv, nil, io.Discard, &upgrade); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`msg="migrating the database" migration=0024_event_time_in_id_order.sql db=` + db,
		`msg="migrated the database" migration=0024_event_time_in_id_order.sql took=`,
	} {
		if !strings.Contains(upgrade.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, upgrade.String())
		}
	}
	if n := strings.Count(upgrade.String(), "migrating the database"); n != 1 {
		t.Errorf("%d migrations told, want 1 (0024 only):\n%s", n, upgrade.String())
	}
}
