package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

// TestWritesUnderHeldLock holds the write lock from another connection: each
// kind of write (a plain statement, a domain transaction, the receiver's
// group commit, the readiness check, the sign-in's second factor) fails with ErrBusy within the write
// timeout instead of waiting, and succeeds once the lock is released.
func TestWritesUnderHeldLock(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.SetWriteTimeout(100 * time.Millisecond)
	twoFactor, secret := enrolledUser(t, st, "ada")
	writes := []struct {
		name  string
		write func() error
	}{
		{"second factor at sign-in", func() error {
			// The next step's code (accepted for clock drift): the
			// enrolment used this step's.
			code, err := store.TOTPCode(secret, time.Now().Add(30*time.Second))
			if err != nil {
				return err
			}
			_, err = st.VerifySecondFactor(ctx, twoFactor, code)
			return err
		}},
		{"setting", func() error { return st.SetSetting(ctx, "k", []byte("v")) }},
		{"secret key (transaction)", func() error { _, err := st.SecretKey(ctx, "fresh_key", 8); return err }},
		{"audit", func() error { return st.Audit(ctx, store.AuditEntry{Action: "test", TargetType: "t", TargetID: "1"}) }},
		{"delivery (group commit)", func() error {
			_, err := st.RecordDelivery(ctx, store.Delivery{ReceivedAt: time.Now(), OperationID: "op-1", Operation: "AUTHORIZATION",
				SubOperation: "AUTHORIZATION", Status: "SUCCESS", Body: []byte(`{}`)})
			return err
		}},
		{"write check", func() error { return st.CheckWrite(ctx) }},
	}
	release := storetest.HoldWriteLock(t, st)
	for _, w := range writes {
		// Twice: the second finds the writer after the first gave up.
		for range 2 {
			done := make(chan error, 1)
			go func() { done <- w.write() }()
			select {
			case err := <-done:
				if !errors.Is(err, store.ErrBusy) {
					t.Errorf("%s under a held lock: err = %v, want ErrBusy", w.name, err)
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%s under a held lock: no answer", w.name)
			}
		}
	}
	release()
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Errorf("%s after release: %v", w.name, err)
		}
	}
}

// TestCheckWriteAfterFullDisk makes the database unable to grow (as a full
// disk does): a write that needs room fails, and CheckWrite fails with it,
// although its own small rewrite would still fit; once a write succeeds
// again, so does CheckWrite.
func TestCheckWriteAfterFullDisk(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "full.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CheckWrite(ctx); err != nil {
		t.Fatalf("CheckWrite on a fresh database: %v", err)
	}
	// max_page_count is per connection; the writer pool has one.
	if _, err := st.Writer().ExecContext(ctx, "PRAGMA max_page_count = 1"); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 256<<10)
	if err := st.SetSetting(ctx, "big", big); err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("SetSetting with no room: err = %v, want database full", err)
	}
	if err := st.CheckWrite(ctx); err == nil {
		t.Error("CheckWrite after a write failed for want of room: nil, want an error")
	}
	if _, err := st.Writer().ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "big", big); err != nil {
		t.Fatalf("SetSetting with room again: %v", err)
	}
	if err := st.CheckWrite(ctx); err != nil {
		t.Errorf("CheckWrite once writes succeed again: %v", err)
	}
}
