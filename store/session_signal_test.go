package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
