package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsRefuseAMissingDatabase: a command that works on a database a
// person already has (a --db with a typo) creates nothing, neither the
// database nor its card-number key, and says where none was found and what
// makes one.
func TestCommandsRefuseAMissingDatabase(t *testing.T) {
	for _, args := range [][]string{
		{"user", "list"},
		{"user", "reset", "alice"},
		{"user", "reset", "alice", "--password-stdin"},
		{"user", "unlock", "alice"},
		{"user", "2fa-reset", "alice"},
		{"user", "2fa-code", "alice"},
		{"apikey", "list"},
		{"apikey", "revoke", "1"},
		{"apikey", "add", "ci", "--level", "1"},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			dir, config := t.TempDir(), t.TempDir()
			db := filepath.Join(dir, "cardopz.db")
			getenv := env(map[string]string{"XDG_CONFIG_HOME": config})
			err := run(context.Background(), append(args, "--db", db), getenv, strings.NewReader("a fine password\n"), &bytes.Buffer{}, &bytes.Buffer{})
			want := strings.Join(args[:2], " ") + ": no database at " + db + " (cardops serve or cardops seed creates one)"
			if err == nil || err.Error() != want {
				t.Errorf("run = %v, want %q", err, want)
			}
			for _, d := range []string{dir, config} {
				if left, _ := os.ReadDir(d); len(left) > 0 {
					t.Errorf("%s holds %v after the refusal, want nothing created", d, left)
				}
			}
		})
	}
}

// TestUserAddMakesADatabase: the first admin of an installation may come
// before its first start, so user add makes the database, and says so.
func TestUserAddMakesADatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"user", "add", "alice", "--level", "3", "--db", db}, env(nil),
		strings.NewReader("a fine password\n"), &bytes.Buffer{}, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if want := "there was no database at " + db + ": made a new one"; !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr %q, want %q", errOut.String(), want)
	}
	errOut.Reset()
	err = run(context.Background(), []string{"user", "add", "bob", "--level", "1", "--db", db}, env(nil),
		strings.NewReader("a fine password\n"), &bytes.Buffer{}, &errOut)
	if err != nil || strings.Contains(errOut.String(), "made a new one") {
		t.Errorf("second user add = %v, stderr %q; want no new database", err, errOut.String())
	}
}
