package store

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func openUsersStore(t *testing.T) *Store {
	t.Helper()
	st, err := OpenWith(context.Background(), filepath.Join(t.TempDir(), "u.db"), Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func addUser(t *testing.T, st *Store, name string, level Level) User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), NewUser{Username: name, Level: level, Password: "long enough pw"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func actorOf(u User) Actor {
	return Actor{Username: u.Username, Level: u.Level, RemoteAddr: "127.0.0.1"}
}

func TestUserChangesNeverLockTheConsoleOut(t *testing.T) {
	ctx := context.Background()
	st := openUsersStore(t)
	alice := addUser(t, st, "alice", LevelAdmin)
	bob := addUser(t, st, "bob", LevelReadOnly)

	if _, err := st.SetUserLevel(ctx, UserChange{UserID: alice.ID, Level: LevelReadOnly, Reason: "x", Actor: actorOf(alice)}); !errors.Is(err, ErrSelfLockout) {
		t.Errorf("demote oneself: err = %v, want ErrSelfLockout", err)
	}
	if _, err := st.DisableUser(ctx, UserChange{UserID: alice.ID, Reason: "x", Actor: actorOf(alice)}); !errors.Is(err, ErrSelfLockout) {
		t.Errorf("disable oneself: err = %v, want ErrSelfLockout", err)
	}
	// Someone else (the CLI) trying to disable the last admin.
	cli := Actor{Username: "cli", Level: LevelAdmin}
	if _, err := st.DisableUser(ctx, UserChange{UserID: alice.ID, Reason: "x", Actor: cli}); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("disable the last admin: err = %v, want ErrLastAdmin", err)
	}
	if _, err := st.SetUserLevel(ctx, UserChange{UserID: alice.ID, Level: LevelOperational, Reason: "x", Actor: cli}); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("demote the last admin: err = %v, want ErrLastAdmin", err)
	}
	var errs FieldErrors
	if _, err := st.SetUserLevel(ctx, UserChange{UserID: bob.ID, Level: 4, Actor: actorOf(alice)}); !errors.As(err, &errs) ||
		errs["level"] != FieldInvalid || errs["reason"] != FieldRequired {
		t.Errorf("level 4 without a reason: err = %v, want level invalid and reason required", err)
	}
	if _, err := st.SetUserLevel(ctx, UserChange{UserID: 999, Level: LevelAdmin, Reason: "x", Actor: actorOf(alice)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: err = %v, want ErrNotFound", err)
	}
	if u, _ := st.UserByID(ctx, alice.ID); u.Level != LevelAdmin || u.Disabled() {
		t.Errorf("alice = level %d disabled %v, want an active admin", u.Level, u.Disabled())
	}
	// Promoting bob makes a second admin; then alice may be demoted by bob.
	if _, err := st.SetUserLevel(ctx, UserChange{UserID: bob.ID, Level: LevelAdmin, Reason: "cover", Actor: actorOf(alice)}); err != nil {
		t.Fatal(err)
	}
	refused, err := st.AuditLog(ctx, AuditFilter{Action: AuditUserLevel})
	if err != nil || len(refused) != 3 || refused[0].Result != ResultOK || refused[0].Detail != "level 1 → 3; reason: cover" {
		t.Errorf("audit = %+v (%v), want 3 rows (the refusals and the change), the newest ok with its reason", refused, err)
	}
}

// TestTwoAdminsDemotingEachOtherLeaveOneAdmin runs the race many times: two
// admins demote each other at once; exactly one succeeds.
func TestTwoAdminsDemotingEachOtherLeaveOneAdmin(t *testing.T) {
	ctx := context.Background()
	st := openUsersStore(t)
	a := addUser(t, st, "a", LevelAdmin)
	b := addUser(t, st, "b", LevelAdmin)
	for round := range 20 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]User{{a, b}, {b, a}} {
			wg.Go(func() {
				_, errs[i] = st.SetUserLevel(ctx, UserChange{UserID: pair[1].ID, Level: LevelOperational, Reason: "race", Actor: actorOf(pair[0])})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrLastAdmin):
				t.Fatalf("round %d: err = %v, want nil or ErrLastAdmin", round, err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d demotions succeeded, want exactly 1 (errs %v)", round, ok, errs)
		}
		var admins int
		st.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE level = 3`).Scan(&admins)
		if admins != 1 {
			t.Fatalf("round %d: %d admins, want 1", round, admins)
		}
		// Put both back for the next round.
		cli := Actor{Username: "cli", Level: LevelAdmin}
		for _, u := range []User{a, b} {
			st.SetUserLevel(ctx, UserChange{UserID: u.ID, Level: LevelAdmin, Reason: "reset", Actor: cli})
		}
	}
}

func TestDisableUserEndsSessionsAndRefusesSignIn(t *testing.T) {
	ctx := context.Background()
	st := openUsersStore(t)
	admin := addUser(t, st, "admin", LevelAdmin)
	bob := addUser(t, st, "bob", LevelOperational)
	if err := st.SignIn(ctx, SignIn{Token: "tok-bob", User: bob, RemoteAddr: "10.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DisableUser(ctx, UserChange{UserID: bob.ID, Reason: "left the company", Actor: actorOf(admin)}); err != nil {
		t.Fatal(err)
	}
	if live, err := st.UserSessions(ctx, bob.ID); err != nil || len(live) != 0 {
		t.Errorf("bob's sessions after disable = %d (%v), want none", len(live), err)
	}
	if _, err := st.SessionByToken(ctx, "tok-bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("session after disable: err = %v, want ErrNotFound", err)
	}
	if _, err := st.Authenticate(ctx, "bob", "wrong password!"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password of a disabled user: err = %v, want ErrBadCredentials", err)
	}
	if _, err := st.Authenticate(ctx, "bob", "long enough pw"); !errors.Is(err, ErrUserDisabled) {
		t.Errorf("right password of a disabled user: err = %v, want ErrUserDisabled", err)
	}
	if _, err := st.DisableUser(ctx, UserChange{UserID: bob.ID, Reason: "again", Actor: actorOf(admin)}); !errors.Is(err, ErrUserUnchanged) {
		t.Errorf("disable twice: err = %v, want ErrUserUnchanged", err)
	}
	if _, err := st.EnableUser(ctx, UserChange{UserID: bob.ID, Reason: "came back", Actor: actorOf(admin)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "bob", "long enough pw"); err != nil {
		t.Errorf("after enable: err = %v, want nil", err)
	}
}

func TestResetPasswordMustBeChanged(t *testing.T) {
	ctx := context.Background()
	st := openUsersStore(t)
	admin := addUser(t, st, "admin", LevelAdmin)
	bob := addUser(t, st, "bob", LevelReadOnly)
	_, pw, err := st.ResetUserPassword(ctx, UserChange{UserID: bob.ID, Reason: "forgot it", Actor: actorOf(admin)})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.Authenticate(ctx, "bob", pw)
	if err != nil || !u.MustChangePassword {
		t.Fatalf("sign in with the one-time password: must change %v, err %v; want true, nil", u.MustChangePassword, err)
	}
	var errs FieldErrors
	err = st.ChangePassword(ctx, PasswordChange{UserID: bob.ID, Current: "not it at all", New: "a new password", Confirm: "a new password", Actor: actorOf(bob)})
	if !errors.As(err, &errs) || errs["current"] != FieldWrong {
		t.Errorf("wrong current password: err = %v, want current wrong", err)
	}
	err = st.ChangePassword(ctx, PasswordChange{UserID: bob.ID, Current: pw, New: "short", Confirm: "short", Actor: actorOf(bob)})
	if !errors.As(err, &errs) || errs["new"] != FieldTooShort {
		t.Errorf("short new password: err = %v, want new too_short", err)
	}
	if err := st.ChangePassword(ctx, PasswordChange{UserID: bob.ID, Current: pw, New: "a new password", Confirm: "a new password", Actor: actorOf(bob)}); err != nil {
		t.Fatal(err)
	}
	if u, err := st.Authenticate(ctx, "bob", "a new password"); err != nil || u.MustChangePassword {
		t.Errorf("after change: must change %v, err %v; want false, nil", u.MustChangePassword, err)
	}
}

func TestSecondFactorCodesAreSingleUse(t *testing.T) {
	ctx := context.Background()
	st := openUsersStore(t)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	st.SetClock(func() time.Time { return now })
	bob := addUser(t, st, "bob", LevelAdmin)
	secret, err := st.TOTPEnrolmentSecret(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := st.TOTPEnrolmentSecret(ctx, bob.ID); again != secret {
		t.Errorf("secret changed between two views of the enrolment page")
	}
	if _, err := st.CompleteTOTPEnrolment(ctx, bob.ID, "000000", actorOf(bob)); !errors.Is(err, ErrCodeWrong) {
		t.Errorf("enrol with a wrong code: err = %v, want ErrCodeWrong", err)
	}
	code, _ := TOTPCode(secret, now)
	recovery, err := st.CompleteTOTPEnrolment(ctx, bob.ID, code, actorOf(bob))
	if err != nil || len(recovery) != RecoveryCodeCount {
		t.Fatalf("enrol: %d codes, err %v", len(recovery), err)
	}
	// The enrolment code's period is used up.
	if _, err := st.VerifySecondFactor(ctx, bob.ID, code); !errors.Is(err, ErrCodeReused) {
		t.Errorf("the enrolment code again: err = %v, want ErrCodeReused", err)
	}
	now = now.Add(30 * time.Second)
	next, _ := TOTPCode(secret, now)
	if m, err := st.VerifySecondFactor(ctx, bob.ID, next); err != nil || m != "totp" {
		t.Errorf("next period's code: %q, %v; want totp, nil", m, err)
	}
	if _, err := st.VerifySecondFactor(ctx, bob.ID, next); !errors.Is(err, ErrCodeReused) {
		t.Errorf("same code twice: err = %v, want ErrCodeReused", err)
	}
	old, _ := TOTPCode(secret, now.Add(-5*time.Minute))
	if _, err := st.VerifySecondFactor(ctx, bob.ID, old); !errors.Is(err, ErrCodeWrong) {
		t.Errorf("a code from 5 minutes ago: err = %v, want ErrCodeWrong", err)
	}
	if m, err := st.VerifySecondFactor(ctx, bob.ID, " "+recovery[3]+" "); err != nil || m != "recovery" {
		t.Errorf("recovery code: %q, %v; want recovery, nil", m, err)
	}
	if _, err := st.VerifySecondFactor(ctx, bob.ID, recovery[3]); !errors.Is(err, ErrCodeWrong) {
		t.Errorf("recovery code twice: err = %v, want ErrCodeWrong", err)
	}
	if n, _ := st.RecoveryCodesLeft(ctx, bob.ID); n != RecoveryCodeCount-1 {
		t.Errorf("recovery codes left = %d, want %d", n, RecoveryCodeCount-1)
	}
	if err := st.ResetTwoFactor(ctx, "bob", Actor{Username: "cli"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.UserByID(ctx, bob.ID); u.TwoFactor() {
		t.Errorf("after reset: two-factor still on")
	}
}
