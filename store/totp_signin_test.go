package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"cardops/store"
)

// TestSignInSpendsTheSecondFactor: the code that finishes a sign-in is
// spent in the sign-in's transaction. A sign-in that fails keeps the code
// (a recovery code is not lost) and its half-finished sign-in; of two
// sign-ins checked with one code, the second to commit fails and starts no
// session.
func TestSignInSpendsTheSecondFactor(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	id, codes := enrolledWithCodes(t, st, "ada")
	u, err := st.UserByName(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(token, challenge string, f store.SecondFactor) error {
		t.Helper()
		slot, err := st.ReserveSignIn(ctx, "ada", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		return st.SignIn(ctx, store.SignIn{Token: token, User: u, RemoteAddr: "192.0.2.1", Slot: slot,
			Detail: "second factor: " + f.Method, SecondFactor: &f, Challenge: challenge})
	}
	sessions := func() int {
		t.Helper()
		ss, err := st.UserSessions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return len(ss)
	}
	if err := st.CreateLoginChallenge(ctx, "challenge-1", u, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}

	// The sign-in fails (its audit row refused): the code and the challenge stay.
	f, err := st.CheckSecondFactor(ctx, id, codes[0])
	if err != nil || f.Method != "recovery" {
		t.Fatalf("check a recovery code: %+v, %v", f, err)
	}
	release := failLoginAudit(t, st)
	if err := signIn("session-1", "challenge-1", f); err == nil {
		t.Fatal("the sign-in succeeded with its audit row refused")
	}
	release()
	if left, err := st.RecoveryCodesLeft(ctx, id); err != nil || left != store.RecoveryCodeCount {
		t.Errorf("after a failed sign-in: %d recovery codes left, %v; want all %d", left, err, store.RecoveryCodeCount)
	}
	if _, err := st.LoginChallenge(ctx, "challenge-1"); err != nil {
		t.Errorf("after a failed sign-in the half-finished one is gone: %v", err)
	}
	if n := sessions(); n != 0 {
		t.Errorf("%d sessions after a failed sign-in", n)
	}

	// Two sign-ins checked with one code: the first spends it.
	again, err := st.CheckSecondFactor(ctx, id, codes[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := signIn("session-1", "challenge-1", f); err != nil {
		t.Fatalf("sign in with the recovery code: %v", err)
	}
	if _, err := st.LoginChallenge(ctx, "challenge-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the half-finished sign-in outlived its sign-in: %v", err)
	}
	if err := signIn("session-2", "", again); !errors.Is(err, store.ErrCodeWrong) {
		t.Errorf("a second sign-in with the spent recovery code: %v, want ErrCodeWrong", err)
	}
	if _, err := st.CheckSecondFactor(ctx, id, codes[0]); !errors.Is(err, store.ErrCodeWrong) {
		t.Errorf("check the spent recovery code: %v, want ErrCodeWrong", err)
	}

	// The same with a TOTP code (the next step's: enrolment spent this one's).
	secret, _, err := st.TOTPSecret(ctx, "ada")
	if err != nil {
		t.Fatal(err)
	}
	code, err := store.TOTPCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.CheckSecondFactor(ctx, id, code)
	if err != nil || first.Method != "totp" {
		t.Fatalf("check a TOTP code: %+v, %v", first, err)
	}
	second, err := st.CheckSecondFactor(ctx, id, code)
	if err != nil {
		t.Fatal(err)
	}
	if err := signIn("session-3", "", first); err != nil {
		t.Fatalf("sign in with a TOTP code: %v", err)
	}
	if err := signIn("session-4", "", second); !errors.Is(err, store.ErrCodeReused) {
		t.Errorf("a second sign-in with the same TOTP code: %v, want ErrCodeReused", err)
	}
	if n := sessions(); n != 2 {
		t.Errorf("%d sessions, want the 2 of the sign-ins that spent their code", n)
	}
}

// failLoginAudit has the database refuse the audit row of a sign-in until
// release.
func failLoginAudit(t *testing.T, st *store.Store) (release func()) {
	t.Helper()
	if _, err := st.Writer().ExecContext(t.Context(), `CREATE TRIGGER test_login_audit_fails BEFORE INSERT ON audit_log
		WHEN NEW.action = '`+store.AuditLogin+`' BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := st.Writer().ExecContext(t.Context(), `DROP TRIGGER test_login_audit_fails`); err != nil {
			t.Fatal(err)
		}
	}
}
