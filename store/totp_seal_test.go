package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// enrolledUser makes a user with two-factor sign-in on and returns its id
// and secret.
func enrolledUser(t *testing.T, st *store.Store, name string) (int64, string) {
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
	code, err := store.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CompleteTOTPEnrolment(ctx, u.ID, code, store.Actor{Username: name}); err != nil {
		t.Fatal(err)
	}
	return u.ID, secret
}

// fileHolds reports whether the database file or its WAL holds s.
func fileHolds(t *testing.T, path, s string) bool {
	t.Helper()
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// TestDatabaseCopyYieldsNoTOTPSecret: a copy of the database file does not
// hold a user's two-factor secret (it is sealed under a key kept outside
// it), and the console still checks codes with it.
func TestDatabaseCopyYieldsNoTOTPSecret(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "totp.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	id, secret := enrolledUser(t, st, "alice")
	if fileHolds(t, path, secret) {
		t.Error("the enrolled secret is in clear in the database file")
	}
	var stored string
	if err := st.Writer().QueryRowContext(ctx, `SELECT totp_secret FROM users WHERE id = ?`, id).Scan(&stored); err != nil ||
		!strings.HasPrefix(stored, "v1:") {
		t.Errorf("stored secret %q (%v), want a sealed one", stored, err)
	}
	// A sealed secret moved to another account opens for nobody.
	bob, err := st.CreateUser(ctx, store.NewUser{Username: "bob", Level: store.LevelAdmin, Password: "a fine password"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Writer().ExecContext(ctx, `UPDATE users SET totp_secret = ? WHERE id = ?`, stored, bob.ID); err != nil {
		t.Fatal(err)
	}
	code, _ := store.TOTPCode(secret, time.Now().Add(30*time.Second)) // the next step: enrolment used this one
	if _, err := st.VerifySecondFactor(ctx, bob.ID, code); err == nil {
		t.Error("alice's sealed secret checks bob's codes")
	}
	if got, err := st.VerifySecondFactor(ctx, id, code); err != nil || got != "totp" {
		t.Errorf("alice's own code: %q, %v; want accepted", got, err)
	}
	st.Close()

	// Without its key the database does not open: a new key would leave
	// the secrets sealed for good.
	if err := os.Rename(path+store.PANKeyFileSuffix, path+".moved"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, path); !errors.Is(err, store.ErrPANKey) {
		t.Errorf("open without the key: %v, want ErrPANKey", err)
	}
}

// TestLegacyTOTPSecretsAreSealedAtOpen: secrets stored in clear before
// sealing are sealed when the database opens, leave the file, and still
// check codes.
func TestLegacyTOTPSecretsAreSealedAtOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "legacy.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, store.NewUser{Username: "carol", Level: store.LevelAdmin, Password: "a fine password"})
	if err != nil {
		t.Fatal(err)
	}
	const legacy = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	if _, err := st.Writer().ExecContext(ctx, `UPDATE users SET totp_secret = ? WHERE id = ?`, legacy, u.ID); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if !fileHolds(t, path, legacy) {
		t.Fatal("the test's legacy secret is not in the file to begin with")
	}

	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if fileHolds(t, path, legacy) {
		t.Error("the legacy secret is still in clear in the database file after open")
	}
	code, _ := store.TOTPCode(legacy, time.Now())
	if got, err := st.VerifySecondFactor(ctx, u.ID, code); err != nil || got != "totp" {
		t.Errorf("code of the legacy secret: %q, %v; want accepted", got, err)
	}
}
