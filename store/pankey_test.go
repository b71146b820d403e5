package store_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cardops/store"
	"cardops/store/seed"
	"cardops/store/storetest"
)

// knownPAN is a number the test knows, so each value in a database copy can
// be tried as the key with one HMAC: it is the key exactly when brute force
// with it would find this card's number.
const knownPAN = "4242424242424242"

// seededDB creates a database with n seeded cards and the card with
// knownPAN in a fresh directory and returns its path, closed.
func seededDB(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cards.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(context.Background(), st, seed.Options{Cards: n}); err != nil {
		t.Fatal(err)
	}
	storetest.AddCard(t, st, storetest.Card{Holder: "Known Number", PAN: knownPAN})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// copyDB copies the database file (and its WAL, if any) into a directory of
// its own, as a backup or a stolen copy would be, and returns the copy.
func copyDB(t *testing.T, path string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// rawDB opens path with database/sql only, as someone holding a copy would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// luhnCandidates returns every Luhn-valid 16-digit number with these first
// 6 and last 4: the 100,000 guesses that a copy of the database leaves.
func luhnCandidates(first6, last4 string) [][]byte {
	out := make([][]byte, 0, 100_000)
	pan := []byte(first6 + "000000" + last4)
	for mid := range 1_000_000 {
		for i, v := 11, mid; i >= 6; i, v = i-1, v/10 {
			pan[i] = byte('0' + v%10)
		}
		if store.LuhnValid(string(pan)) {
			out = append(out, bytes.Clone(pan))
		}
	}
	return out
}

// bruteForce returns the candidate whose HMAC under key is hash.
func bruteForce(key []byte, candidates [][]byte, hash []byte) (string, bool) {
	m := hmac.New(sha256.New, key)
	var sum []byte
	for _, pan := range candidates {
		m.Reset()
		m.Write(pan)
		sum = m.Sum(sum[:0])
		if bytes.Equal(sum, hash) {
			return string(pan), true
		}
	}
	return "", false
}

// candidateKeys collects every value in the database that could be a key:
// each BLOB of 16 bytes or more and, in the settings table, each 32-byte
// window of a longer value and each TEXT that decodes as hex or base64. The
// card-number hashes themselves are left out.
func candidateKeys(t *testing.T, db *sql.DB) [][]byte {
	t.Helper()
	// A virtual table's values are in its shadow tables, which are listed
	// too (and a contentless one cannot be read whole).
	tables, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	seen := map[string]bool{}
	var keys [][]byte
	add := func(b []byte) {
		if len(b) >= 16 && !seen[string(b)] {
			seen[string(b)] = true
			keys = append(keys, bytes.Clone(b))
		}
	}
	for _, table := range names {
		cols, rows := storetest.Rows(t, db, `SELECT * FROM "`+table+`"`)
		for _, vals := range rows {
			for i, v := range vals {
				if table == "card_numbers" && cols[i] == "pan_hash" {
					continue
				}
				switch v := v.(type) {
				case []byte:
					add(v)
					for off := 0; table == "settings" && len(v) > 32 && off+32 <= len(v); off++ {
						add(v[off : off+32])
					}
				case string:
					if table != "settings" {
						continue
					}
					if b, err := hex.DecodeString(v); err == nil {
						add(b)
					}
					if b, err := base64.StdEncoding.DecodeString(v); err == nil {
						add(b)
					}
					if b, err := base64.RawURLEncoding.DecodeString(v); err == nil {
						add(b)
					}
				}
			}
		}
	}
	return keys
}

// knownNumber returns the first 6, last 4 and stored hash of knownPAN.
func knownNumber(t *testing.T, db *sql.DB) (first6, last4 string, hash []byte) {
	t.Helper()
	err := db.QueryRow(`SELECT n.first6, n.last4, n.pan_hash FROM card_numbers n JOIN cards c ON c.id = n.card_id
		WHERE c.card_holder_name = 'Known Number'`).Scan(&first6, &last4, &hash)
	if err != nil {
		t.Fatal(err)
	}
	return first6, last4, hash
}

// assertNoKeyIn fails if any value in db is the key of knownPAN's hash.
func assertNoKeyIn(t *testing.T, db *sql.DB) {
	t.Helper()
	_, _, hash := knownNumber(t, db)
	keys := candidateKeys(t, db)
	for _, k := range keys {
		if hmac.Equal(store.HashPAN(k, knownPAN), hash) {
			t.Fatalf("a %d-byte value in the database is the card-number key", len(k))
		}
	}
	t.Logf("tried %d values from the database", len(keys))
}

// TestDatabaseCopyYieldsNoNumber: a copy of the database file, without the
// key file beside it, gives up no full card number: no value in the copy is
// the key (tried on a card whose number the test knows), while the real key
// finds that number among the 100,000 Luhn candidates its first 6 and last
// 4 leave.
func TestDatabaseCopyYieldsNoNumber(t *testing.T) {
	path := seededDB(t, 20)
	cp := copyDB(t, path)
	if _, err := os.Stat(cp + store.PANKeyFileSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the copy has a key file beside it: %v", err)
	}
	db := rawDB(t, cp)
	assertNoKeyIn(t, db)

	// The attack itself works: the real key, from the key file, finds it.
	b, err := os.ReadFile(path + store.PANKeyFileSuffix)
	if err != nil {
		t.Fatalf("key file: %v", err)
	}
	key, err := store.ParsePANKey(string(b))
	if err != nil {
		t.Fatal(err)
	}
	first6, last4, hash := knownNumber(t, db)
	if pan, ok := bruteForce(key, luhnCandidates(first6, last4), hash); !ok || pan != knownPAN {
		t.Fatal("the key file's key does not find the card's number")
	}
	raw, err := os.ReadFile(cp)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, key) {
		t.Error("the key's bytes are in the database file")
	}
}

// TestOpenRefusesMissingOrWrongPANKey: a database that holds card numbers
// does not open without the key they were made with; nothing is changed,
// and the right key opens it again.
func TestOpenRefusesMissingOrWrongPANKey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cards.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AddCard(t, st, storetest.Card{Holder: "Ada"})
	right := st.PANKey()
	st.Close()
	keyFile := path + store.PANKeyFileSuffix
	other := bytes.Repeat([]byte{7}, store.PANKeySize)
	otherFile := filepath.Join(t.TempDir(), "other.pankey")
	os.WriteFile(otherFile, []byte(hex.EncodeToString(other)), 0o600)

	for _, tc := range []struct {
		name    string
		opts    store.Options
		prepare func()
		wantErr string
	}{
		{"wrong key given", store.Options{PANKey: other}, nil, "another key"},
		{"wrong key file", store.Options{PANKeyFile: otherFile}, nil, "another key"},
		{"key file missing", store.Options{PANKeyFile: filepath.Join(t.TempDir(), "none.pankey")}, nil, "does not exist"},
		{"default key file missing", store.Options{}, func() { os.Rename(keyFile, keyFile+".away") }, "does not exist"},
		{"right key given", store.Options{PANKey: right}, nil, ""},
		{"default key file back", store.Options{}, func() { os.Rename(keyFile+".away", keyFile) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prepare != nil {
				tc.prepare()
			}
			st, err := store.OpenWith(ctx, path, tc.opts)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("OpenWith = %v, want it to open", err)
				}
				if !bytes.Equal(st.PANKey(), right) {
					t.Error("PANKey is not the key the numbers were made with")
				}
				st.Close()
				return
			}
			if err == nil {
				st.Close()
				t.Fatal("OpenWith opened the database, want a refusal")
			}
			if !errors.Is(err, store.ErrPANKey) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("OpenWith = %v, want ErrPANKey saying %q", err, tc.wantErr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "none.pankey")); err == nil {
		t.Error("a refused start created a key file")
	}
}

// TestOpenRefusesANewKeyForAKeyedDatabase: a database given a key before,
// even one without card numbers yet, is not given another when its key file
// is missing: a console running on it keeps the first, and the numbers it
// adds would be refused at its next start.
func TestOpenRefusesANewKeyForAKeyedDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "users.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	right := st.PANKey()
	st.Close()
	keyFile := path + store.PANKeyFileSuffix
	if err := os.Rename(keyFile, keyFile+".away"); err != nil {
		t.Fatal(err)
	}
	if st, err := store.Open(ctx, path); err == nil {
		st.Close()
		t.Fatal("Open made a new key, want a refusal")
	} else if !errors.Is(err, store.ErrPANKey) || !strings.Contains(err.Error(), "has a card-number key already") {
		t.Errorf("Open = %v, want ErrPANKey saying the database has a key", err)
	}
	if _, err := os.Stat(keyFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused start left a key file: %v", err)
	}
	if err := os.Rename(keyFile+".away", keyFile); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("with its key back: %v", err)
	}
	defer st.Close()
	if !bytes.Equal(st.PANKey(), right) {
		t.Error("PANKey is not the database's first key")
	}
}

// makeLegacy turns a database into what a binary before migration 0007
// left: the card-number key in the settings table, no key check, the demo
// accounts with their passwords, and no key file.
func makeLegacy(t *testing.T, path string, key []byte, demoPassword string) {
	t.Helper()
	db := rawDB(t, path)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO settings(key, value, updated_at) VALUES ('pan_hash_key', ?, 1)`, []any{key}},
		{`INSERT INTO settings(key, value, updated_at) VALUES ('demo_accounts', ?, 1)`,
			[]any{[]byte(`[{"Username":"admin","Password":"` + demoPassword + `","Level":3}]`)}},
		{`DELETE FROM settings WHERE key = 'pan_key_check'`, nil},
		{`DELETE FROM schema_migrations WHERE version = 7`, nil},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if err := os.Remove(path + store.PANKeyFileSuffix); err != nil {
		t.Fatal(err)
	}
}

// fileBytes returns the database file and its WAL, if any.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// TestOpenMovesLegacyPANKey: a database written before the key left it is
// opened with its own key, which goes to a new 0600 key file; afterwards no
// byte of the key, nor the demo password, is left in the database file.
func TestOpenMovesLegacyPANKey(t *testing.T) {
	ctx := context.Background()
	path := seededDB(t, 20)
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	key := st.PANKey()
	st.Close()
	const demoPassword = "demo-Password-0123456789"
	makeLegacy(t, path, key, demoPassword)
	if !bytes.Contains(fileBytes(t, path), key) {
		t.Fatal("test set-up: the legacy database does not hold the key")
	}

	var told bytes.Buffer
	st, err = store.OpenWith(ctx, path, store.Options{Logger: slog.New(slog.NewTextHandler(&told, nil))})
	if err != nil {
		t.Fatalf("Open on a legacy database: %v", err)
	}
	if !bytes.Equal(st.PANKey(), key) {
		t.Error("PANKey is not the key the database held")
	}
	// The rewrite of the whole file is said before it starts.
	for _, want := range []string{`msg="migrating the database" migration=0007_`, `msg="vacuuming the database"`, `msg="vacuumed the database" took=`} {
		if !strings.Contains(told.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, told.String())
		}
	}
	if _, err := st.Setting(ctx, "pan_hash_key"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("pan_hash_key setting: %v, want ErrNotFound", err)
	}
	demo, err := st.Setting(ctx, "demo_accounts")
	if err != nil || string(demo) != `[{"Username":"admin","Level":3}]` {
		t.Errorf("demo_accounts = %s, %v; want names and levels only", demo, err)
	}
	st.Close()

	b, err := os.ReadFile(path + store.PANKeyFileSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := store.ParsePANKey(string(b)); err != nil || !bytes.Equal(k, key) {
		t.Errorf("key file holds %q (%v), want the database's key", b, err)
	}
	raw := fileBytes(t, path)
	if bytes.Contains(raw, key) {
		t.Error("the key's bytes are still in the database file")
	}
	if bytes.Contains(raw, []byte(demoPassword)) {
		t.Error("the demo password is still in the database file")
	}
	assertNoKeyIn(t, rawDB(t, copyDB(t, path)))
}

// TestOpenRefusesLegacyKeyConflict: when the database still holds its key
// and the key file holds another, Open refuses and changes nothing.
func TestOpenRefusesLegacyKeyConflict(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cards.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AddCard(t, st, storetest.Card{Holder: "Ada"})
	key := st.PANKey()
	st.Close()
	makeLegacy(t, path, key, "whatever-password")
	other := bytes.Repeat([]byte{9}, store.PANKeySize)
	os.WriteFile(path+store.PANKeyFileSuffix, []byte(hex.EncodeToString(other)), 0o600)

	if st, err := store.Open(ctx, path); err == nil {
		st.Close()
		t.Fatal("Open accepted a key file that differs from the database's key")
	} else if !errors.Is(err, store.ErrPANKey) {
		t.Errorf("Open = %v, want ErrPANKey", err)
	}
	var held []byte
	if err := rawDB(t, path).QueryRow(`SELECT value FROM settings WHERE key = 'pan_hash_key'`).Scan(&held); err != nil || !bytes.Equal(held, key) {
		t.Errorf("after the refusal the database's key is %x, %v; want it untouched", held, err)
	}
}

// TestDatabaseFilesArePrivate: the database, its WAL and shared memory and
// the key file are created readable by their owner only, whatever the
// umask; an existing database file others could read is made private.
func TestDatabaseFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "cards.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AddCard(t, st, storetest.Card{Holder: "Ada"})
	for _, f := range []string{path, path + "-wal", path + "-shm", path + store.PANKeyFileSuffix} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %#o, want 0600", filepath.Base(f), m)
		}
	}
	st.Close()

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("reopened database file: %v, %v; want mode 0600", fi.Mode(), err)
	}
}
