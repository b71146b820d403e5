package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// enrolledWithCodes makes a user with two-factor on and returns its id and
// recovery codes.
func enrolledWithCodes(t *testing.T, st *store.Store, name string) (int64, []string) {
	t.Helper()
	ctx := context.Background()
	u, err := st.CreateUser(ctx, store.NewUser{Username: name, Level: store.LevelAdmin, Password: "a fine password"})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := st.TOTPEnrolmentSecret(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := store.TOTPCode(secret, time.Now())
	codes, err := st.CompleteTOTPEnrolment(ctx, u.ID, code, store.Actor{Username: name})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, codes
}

// unkeyed is what a recovery code was stored as before migration 0026:
// the SHA-256 of the code without its dash.
func unkeyed(code string) []byte {
	sum := sha256.Sum256([]byte(strings.ReplaceAll(code, "-", "")))
	return sum[:]
}

// storedRecoveryHashes reads the stored values from the database file.
func storedRecoveryHashes(t *testing.T, st *store.Store, userID int64) [][]byte {
	t.Helper()
	rows, err := st.Writer().QueryContext(context.Background(), `SELECT code_hash FROM recovery_codes WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		out = append(out, h)
	}
	return out
}

// TestRecoveryCodesFromBeforeTheKeyStillSignIn: recovery codes stored as
// SHA-256 alone, as before migration 0026, are keyed when the database
// opens (once: a second open leaves them), no longer hold their SHA-256,
// and still sign in, once each.
func TestRecoveryCodesFromBeforeTheKeyStillSignIn(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "legacy.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id, codes := enrolledWithCodes(t, st, "dana")
	// As the previous version stored them.
	if _, err := st.Writer().ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, id); err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if _, err := st.Writer().ExecContext(ctx, `INSERT INTO recovery_codes(user_id, code_hash, keyed) VALUES (?, ?, 0)`, id, unkeyed(c)); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	for i := range 2 {
		st, err = store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		for j, h := range storedRecoveryHashes(t, st, id) {
			if bytes.Equal(h, unkeyed(codes[j])) {
				t.Errorf("open %d: code %d is still stored as its SHA-256", i+1, j)
			}
		}
		if got, err := st.VerifySecondFactor(ctx, id, codes[i]); err != nil || got != "recovery" {
			t.Errorf("open %d: a code issued before the change: %q, %v; want accepted", i+1, got, err)
		}
		if _, err := st.VerifySecondFactor(ctx, id, codes[i]); !errors.Is(err, store.ErrCodeWrong) {
			t.Errorf("open %d: the same code again: %v, want ErrCodeWrong", i+1, err)
		}
		if n, err := st.RecoveryCodesLeft(ctx, id); err != nil || n != len(codes)-i-1 {
			t.Errorf("open %d: %d codes left (%v), want %d", i+1, n, err, len(codes)-i-1)
		}
		st.Close()
	}
	for _, c := range codes {
		if fileHolds(t, path, string(unkeyed(c))) {
			t.Errorf("the SHA-256 of code %s is still in the database file", c)
		}
	}
}

// TestDatabaseCopyCannotCheckRecoveryCodes: a copy of the database without
// the key file holds no value a guessed code can be checked against
// (neither the SHA-256 of the code, as before, nor anything the copy can
// make), and a store will not open it without the key.
func TestDatabaseCopyCannotCheckRecoveryCodes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id, codes := enrolledWithCodes(t, st, "erin")
	if got, err := st.VerifySecondFactor(ctx, id, codes[0]); err != nil || got != "recovery" {
		t.Fatalf("a fresh code with the key: %q, %v; want accepted", got, err)
	}
	st.Close()

	copyDir := t.TempDir()
	copyPath := filepath.Join(copyDir, "copy.db")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if bytes.Contains(b, unkeyed(c)) {
			t.Errorf("the copy holds the SHA-256 of code %s: a search of 2^50 codes offline finds it", c)
		}
	}
	for _, opts := range []store.Options{
		{PANKeyFile: filepath.Join(copyDir, "no-such.pankey")},
		{PANKey: bytes.Repeat([]byte{7}, store.PANKeySize)},
	} {
		if cp, err := store.OpenWith(ctx, copyPath, opts); !errors.Is(err, store.ErrPANKey) {
			if err == nil {
				if _, verr := cp.VerifySecondFactor(ctx, id, codes[1]); verr == nil {
					t.Error("the copy opened without the key checks a recovery code")
				}
				cp.Close()
			}
			t.Errorf("open the copy without its key: %v, want ErrPANKey", err)
		}
	}
}
