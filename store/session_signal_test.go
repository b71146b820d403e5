package store

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// TestEverySessionDeletionSignals: each function of the store that deletes
// sessions also signals it (sessionsEndedTx, or sessionEnds.fire after its
// statement), so that open live streams end with their session at once.
// A new place that forgets would leave a signed-out person's streams
// running until the next keep-alive.
func TestEverySessionDeletionSignals(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fn := range strings.Split(string(b), "\nfunc ")[1:] {
			if !strings.Contains(fn, "DELETE FROM sessions") {
				continue
			}
			found++
			if !strings.Contains(fn, "s.sessionsEndedTx(tx)") && !strings.Contains(fn, "s.sessionEnds.fire()") {
				name, _, _ := strings.Cut(fn, "(")
				if strings.HasPrefix(name, "(") || name == "" {
					name, _, _ = strings.Cut(fn, "{")
				}
				t.Errorf("%s: func %s deletes sessions without signalling the live streams", f, strings.TrimSpace(name))
			}
		}
	}
	if found < 9 {
		t.Errorf("found %d functions deleting sessions, want at least the 9 known: is the test reading the right files?", found)
	}
}

// TestWatchSessionEndsSeesOtherProcesses: sessions another process deletes
// (the command line resetting a password) fire SessionsEnded in the console
// within its poll, counted by the trigger one per session; another
// process's writes that end no session do not fire it.
func TestWatchSessionEndsSeesOtherProcesses(t *testing.T) {
	ctx := context.Background()
	console := openTestStore(t)
	u, err := console.CreateUser(ctx, NewUser{Username: "lena", Level: LevelOperational, Password: "a long enough password 1"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := console.w.ExecContext(ctx, `INSERT INTO sessions(id, user_id, created_at, last_seen_at) VALUES (?, ?, 1, 1)`,
			[]byte{byte(i)}, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	watchCtx, stop := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		console.WatchSessionEnds(watchCtx, 10*time.Millisecond, func(err error) { t.Errorf("watch: %v", err) })
	}()
	defer func() { stop(); <-watched }()
	cli, err := OpenWith(ctx, console.Path(), Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	ended := console.SessionsEnded()
	time.Sleep(50 * time.Millisecond) // the watch has read the count before
	if err := cli.SetSetting(ctx, "unrelated", []byte("x")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ended:
		t.Fatal("SessionsEnded fired for a write that ended no session")
	case <-time.After(100 * time.Millisecond):
	}
	if _, err := cli.ResetPassword(ctx, "lena", "another long password 2", "cli"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("SessionsEnded did not fire within 5 s of another process ending two sessions")
	}
	var n int64
	if err := console.r.QueryRowContext(ctx, `SELECT n FROM session_ends`).Scan(&n); err != nil || n != 2 {
		t.Errorf("session_ends.n = %d, %v; want 2, one per session deleted", n, err)
	}
}
