package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"cardops/store"
)

// TestKeyFileAwayFromTheDatabase: a new database's card-number key goes to
// the user's configuration directory, private, one file per database; the
// database's directory alone (a copy, a backup) opens nothing.
func TestKeyFileAwayFromTheDatabase(t *testing.T) {
	ctx := context.Background()
	config := t.TempDir()
	getenv := env(map[string]string{"XDG_CONFIG_HOME": config})
	dirA, dirB := t.TempDir(), t.TempDir()
	dbA, dbB := filepath.Join(dirA, "cardops.db"), filepath.Join(dirB, "cardops.db")
	for _, db := range []string{dbA, dbB} {
		if err := run(ctx, []string{"seed", "--cards", "3", "--db", db}, getenv, nil, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		if keys, _ := filepath.Glob(filepath.Join(filepath.Dir(db), "*"+store.PANKeyFileSuffix)); len(keys) > 0 {
			t.Errorf("key files beside the database: %v", keys)
		}
	}
	keys, _ := filepath.Glob(filepath.Join(config, "cardops", "keys", "cardops.db-*"+store.PANKeyFileSuffix))
	if len(keys) != 2 {
		t.Fatalf("key files %v, want one per database of the same name", keys)
	}
	for _, f := range []string{keys[0], filepath.Dir(keys[0])} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %#o, want private", f, fi.Mode().Perm())
		}
	}
	if err := run(ctx, []string{"user", "list", "--db", dbA}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("the same database again: %v", err)
	}
	// The same database through a symbolic link to its directory.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dirA, link); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "list", "--db", filepath.Join(link, "cardops.db")}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("the same database through a link: %v", err)
	}
	// Another machine (another configuration directory) with only the
	// database's directory: no key, no start.
	// The error names the file it looked for (README: a moved database).
	otherConfig := t.TempDir()
	wantFile, err := store.DefaultPANKeyFile(otherConfig, dbA)
	if err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"user", "list", "--db", dbA}, env(map[string]string{"XDG_CONFIG_HOME": otherConfig}), nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "key missing") || !strings.Contains(err.Error(), wantFile) {
		t.Errorf("the database's directory alone: %v, want the key missing and %s named", err, wantFile)
	}
	// Without a configuration directory a new database needs the key's
	// place given.
	homeless := env(map[string]string{"XDG_CONFIG_HOME": "", "HOME": ""})
	err = run(ctx, []string{"seed", "--cards", "1", "--db", filepath.Join(t.TempDir(), "n.db")}, homeless, nil, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--pan-key-file") {
		t.Errorf("no HOME: %v, want to be told to give --pan-key-file", err)
	}
}

// TestServeWarnsOfKeyBesideData: a key file in the database's directory is
// named at start-up. One an older release left there (the old default) is
// still used, with the command that moves it where this release looks
// first; after that move the start is quiet and the database opens.
func TestServeWarnsOfKeyBesideData(t *testing.T) {
	ctx := context.Background()
	config := t.TempDir()
	getenv := env(map[string]string{"XDG_CONFIG_HOME": config})
	dir, keys := t.TempDir(), t.TempDir()
	legacy := filepath.Join(dir, "old.db")
	st, err := store.Open(ctx, legacy) // an older release: the key beside the database
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := run(ctx, []string{"seed", "--cards", "2", "--db", legacy}, getenv, nil, io.Discard, io.Discard); err != nil {
		t.Fatalf("a database with its key beside it: %v", err)
	}
	serve := func(args ...string) string {
		errOut := &syncBuffer{}
		// A bad flag value after the warnings ends the start early.
		run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--webhook-target", "ftp://x"}, args...), getenv, nil, &syncBuffer{}, errOut)
		return errOut.String()
	}
	const warning = "is in the database's directory"
	out := serve("--db", legacy)
	to, err := store.DefaultPANKeyFile(config, legacy)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, warning) || !strings.Contains(out, "mv "+legacy+store.PANKeyFileSuffix+" "+to) {
		t.Errorf("legacy key file: stderr %q, want a warning with the mv to %s", out, to)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(legacy+store.PANKeyFileSuffix, to); err != nil {
		t.Fatal(err)
	}
	if out := serve("--db", legacy); strings.Contains(out, warning) || strings.Contains(out, "key missing") {
		t.Errorf("after the move: stderr %q, want no warning and the key found", out)
	}

	for _, tc := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--db", filepath.Join(dir, "a.db")}, false},
		{[]string{"--db", filepath.Join(dir, "b.db"), "--pan-key-file", filepath.Join(dir, "b.pankey")}, true},
		{[]string{"--db", filepath.Join(dir, "c.db"), "--pan-key-file", filepath.Join(keys, "c.pankey")}, false},
	} {
		out := serve(tc.args...)
		if got := strings.Contains(out, warning); got != tc.warn {
			t.Errorf("%v: warned %v, want %v; stderr %q", tc.args, got, tc.warn, out)
		}
		if strings.Contains(out, " mv ") {
			t.Errorf("%v: a move is proposed for a key file that was given: %q", tc.args, out)
		}
	}
}

// TestCommandsNeedTheKeyOfAnExistingDatabase: run where its key file is not
// found (under another HOME), a command on a database that has a key
// already is refused, names the flag that gives the key, and makes nothing
// there: a new key would make the database's own useless, for a console
// running on it too, whether or not it holds card numbers yet.
func TestCommandsNeedTheKeyOfAnExistingDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seeded, users := filepath.Join(dir, "seeded.db"), filepath.Join(dir, "users.db")
	if err := run(ctx, []string{"seed", "--cards", "2", "--db", seeded}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "add", "alice", "--level", "3", "--db", users}, env(nil), strings.NewReader("a fine password\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{seeded, users} {
		for _, args := range [][]string{{"user", "list"}, {"user", "add", "bob", "--level", "1"}, {"seed", "--cards", "1"}} {
			otherHome := t.TempDir()
			getenv := env(map[string]string{"XDG_CONFIG_HOME": "", "HOME": otherHome})
			err := run(ctx, append(args, "--db", db), getenv, strings.NewReader("a fine password\n"), io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "key is missing") || !strings.Contains(err.Error(), "--pan-key-file") {
				t.Errorf("%v on %s under another HOME: %v, want the key missing and --pan-key-file named", args, filepath.Base(db), err)
			}
			if left, _ := os.ReadDir(otherHome); len(left) > 0 {
				t.Errorf("%v on %s: the other HOME holds %v, want nothing made", args, filepath.Base(db), left)
			}
		}
		if err := run(ctx, []string{"user", "list", "--db", db}, env(nil), nil, io.Discard, io.Discard); err != nil {
			t.Errorf("%s with its own key after the refusals: %v", filepath.Base(db), err)
		}
	}
}

// TestServePrintsCommandsWithTheKey: the commands a later start prints (a
// demo account's new password, a two-factor code) open the database with
// the key the console uses, naming it when it is not where a command looks
// first: a file given, or one an older release left beside the database.
// Pasted where the default key directory is another one, they work.
func TestServePrintsCommandsWithTheKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	legacy := filepath.Join(dir, "legacy.db")
	st, err := store.Open(ctx, legacy) // an older release: the key beside the database
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	given, fromEnv := filepath.Join(t.TempDir(), "given.pankey"), filepath.Join(t.TempDir(), "env.pankey")
	resetLine := regexp.MustCompile("cardops user reset admin ([^\n]*?) +\\(level 3")
	for _, tc := range []struct {
		name    string
		db      string
		args    []string
		vars    map[string]string
		keyFile string // the --pan-key-file the commands must carry, if any
	}{
		{"legacy key beside the database", legacy, nil, nil, legacy + store.PANKeyFileSuffix},
		{"key file given", filepath.Join(dir, "given.db"), []string{"--pan-key-file", given}, nil, given},
		{"key file from the environment", filepath.Join(dir, "env.db"), nil, map[string]string{"CARDOPS_PAN_KEY_FILE": fromEnv}, fromEnv},
		{"default key file", filepath.Join(dir, "default.db"), nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--demo", "--demo-cards", "20", "--require-2fa-level", "3", "--db", tc.db}, tc.args...)
			startServe(t, args, tc.vars).stop(t)
			later := startServe(t, args, tc.vars)
			later.stop(t)
			out := later.Out.String()
			want := "--db " + tc.db
			if tc.keyFile != "" {
				want += " --pan-key-file " + tc.keyFile
			}
			m := resetLine.FindStringSubmatch(out)
			if m == nil || m[1] != want {
				t.Fatalf("the reset command's flags are %q, want %q:\n%s", m, want, out)
			}
			if !strings.Contains(out, "`cardops user 2fa-code NAME "+want+"`") {
				t.Errorf("the two-factor code command lacks %q:\n%s", want, out)
			}
			// Pasted in a shell whose default key directory is another
			// one, a command that names its key still opens the database.
			pasteEnv := env(nil)
			if tc.keyFile != "" {
				pasteEnv = env(map[string]string{"XDG_CONFIG_HOME": t.TempDir()})
			}
			var resetOut bytes.Buffer
			if err := run(ctx, append([]string{"user", "reset", "admin"}, strings.Fields(m[1])...), pasteEnv, nil, &resetOut, &resetOut); err != nil {
				t.Errorf("the printed reset command: %v", err)
			}
		})
	}
}

// TestMoveLegacyKeyAsPrinted: the command serve prints to move an older
// release's key file, run in a shell with the usual umask, makes every
// directory it creates private (~/.config too) and moves the key; the next
// start uses the moved key.
func TestMoveLegacyKeyAsPrinted(t *testing.T) {
	ctx := context.Background()
	home := t.TempDir()
	vars := map[string]string{"XDG_CONFIG_HOME": "", "HOME": home}
	db := filepath.Join(t.TempDir(), "old.db")
	st, err := store.Open(ctx, db) // an older release: the key beside the database
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	// Card numbers, so a start with any other key is refused.
	if err := run(ctx, []string{"seed", "--cards", "2", "--db", db}, env(vars), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	errOut := &syncBuffer{}
	// A bad flag value after the warnings ends the start early.
	run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--webhook-target", "ftp://x", "--db", db}, env(vars), nil, &syncBuffer{}, errOut)
	m := regexp.MustCompile(`move it where cardops looks first: (.*)\n`).FindStringSubmatch(errOut.String())
	if m == nil {
		t.Fatalf("no command to move the key file; stderr %q", errOut.String())
	}
	sh := exec.Command("sh", "-c", "umask 022 && "+m[1])
	sh.Env = append(os.Environ(), "HOME="+home)
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", m[1], err, out)
	}
	to, err := store.DefaultPANKeyFile(filepath.Join(home, ".config"), db)
	if err != nil {
		t.Fatal(err)
	}
	for d := filepath.Dir(to); d != home; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s has mode %#o after %s, want 0700", d, fi.Mode().Perm(), m[1])
		}
	}
	if _, err := os.Stat(db + store.PANKeyFileSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the key file is still beside the database: %v", err)
	}
	c := startServe(t, []string{"--db", db}, vars)
	c.stop(t)
	if !strings.Contains(c.Out.String(), "the card-number key is in "+to+":") {
		t.Errorf("the next start does not use the moved key %s:\n%s", to, c.Out.String())
	}
	if strings.Contains(c.Err.String(), "is in the database's directory") {
		t.Errorf("the next start still warns of a key beside the database:\n%s", c.Err.String())
	}
}
