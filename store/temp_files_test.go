package store

import (
	"context"
	"errors"
	"testing"
)

// TestWithTempFiles: the writer keeps its temporary files in memory (the
// group commit's statement journals) except while withTempFiles runs fn, the
// migrations and the VACUUM, whose sorts and copies would otherwise be held
// in memory whole; fn failing puts them back too, and the writer gets back
// the setting it had.
func TestWithTempFiles(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	tempStore := func() int {
		t.Helper()
		var v int
		if err := st.w.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	const file, memory = 1, 2
	if got := tempStore(); got != memory {
		t.Fatalf("temp_store after Open = %d, want %d (memory)", got, memory)
	}
	failed := errors.New("the step failed")
	err := st.withTempFiles(ctx, func(context.Context) error {
		if got := tempStore(); got != file {
			t.Errorf("temp_store inside = %d, want %d (file)", got, file)
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Errorf("withTempFiles = %v, want the step's error", err)
	}
	if got := tempStore(); got != memory {
		t.Errorf("temp_store after a failed step = %d, want %d (memory)", got, memory)
	}
	// The writer gets back what it had, not a value copied from its DSN.
	const dflt = 0
	if _, err := st.w.ExecContext(ctx, `PRAGMA temp_store = DEFAULT`); err != nil {
		t.Fatal(err)
	}
	if err := st.withTempFiles(ctx, func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := tempStore(); got != dflt {
		t.Errorf("temp_store after a step from DEFAULT = %d, want %d", got, dflt)
	}
}
