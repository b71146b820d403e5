package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestNewUserValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    NewUser
		ok   bool
	}{
		{"good", NewUser{"alice", LevelAdmin, "long enough pw"}, true},
		{"short password", NewUser{"alice", LevelAdmin, "short"}, false},
		{"empty password", NewUser{"alice", LevelAdmin, ""}, false},
		{"level 0", NewUser{"alice", 0, "long enough pw"}, false},
		{"level 4", NewUser{"alice", 4, "long enough pw"}, false},
		{"empty name", NewUser{"", LevelReadOnly, "long enough pw"}, false},
		{"padded name", NewUser{" alice", LevelReadOnly, "long enough pw"}, false},
		{"control char", NewUser{"al\x00ice", LevelReadOnly, "long enough pw"}, false},
		{"an e-mail as a name", NewUser{"Ana.Lopez-2@example.com", LevelReadOnly, "long enough pw"}, true},
		{"a space inside", NewUser{"bo b", LevelReadOnly, "long enough pw"}, false},
		{"a zero-width space", NewUser{"admin\u200b", LevelReadOnly, "long enough pw"}, false},
		{"a right-to-left mark", NewUser{"\u202eadmin", LevelReadOnly, "long enough pw"}, false},
		{"a Cyrillic look-alike", NewUser{"аdmin", LevelReadOnly, "long enough pw"}, false},
		{"a flag-like name", NewUser{"-h", LevelReadOnly, "long enough pw"}, false},
		{"punctuation only", NewUser{"..", LevelReadOnly, "long enough pw"}, false},
		{"the command line's name", NewUser{"CLI", LevelReadOnly, "long enough pw"}, false},
		{"unsigned requests' name", NewUser{"anonymous", LevelReadOnly, "long enough pw"}, false},
		{"65 characters", NewUser{strings.Repeat("a", 65), LevelReadOnly, "long enough pw"}, false},
	} {
		err := tc.u.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestCreateUserAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "u.db"), Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateUser(ctx, NewUser{"Alice", LevelOperational, "a long password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{"alice", LevelAdmin, "a long password"}); !errors.Is(err, ErrUserExists) {
		t.Errorf("duplicate (other case) = %v, want ErrUserExists", err)
	}
	u, err := st.Authenticate(ctx, "alice", "a long password")
	if err != nil || u.Level != LevelOperational {
		t.Errorf("Authenticate = %+v, %v; want level 2", u, err)
	}
	if _, err := st.Authenticate(ctx, "alice", "wrong password"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("wrong password = %v, want ErrBadCredentials", err)
	}
	if _, err := st.Authenticate(ctx, "bob", "a long password"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("unknown user = %v, want ErrBadCredentials", err)
	}
	var hash string
	st.r.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE username = 'Alice'`).Scan(&hash)
	if hash == "a long password" || len(hash) < 50 {
		t.Errorf("stored password hash %q looks unsafe", hash)
	}
}

// TestCreateUserAudited: a user made from the command line leaves its audit
// row in the same transaction: a name taken leaves none, and when the audit
// row cannot be written no user is made.
func TestCreateUserAudited(t *testing.T) {
	ctx := context.Background()
	st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "u.db"), Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateUser(ctx, NewUser{"alice", LevelOperational, "a long password"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{"Alice", LevelAdmin, "a long password"}); !errors.Is(err, ErrUserExists) {
		t.Fatalf("duplicate = %v, want ErrUserExists", err)
	}
	got, err := st.AuditLog(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Actor != "cli" || got[0].Action != AuditUserCreate || got[0].TargetID != "alice" || got[0].Detail != "level 2" {
		t.Errorf("audit rows = %+v, want one user.create of alice by cli", got)
	}

	if _, err := st.w.ExecContext(ctx, `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log
		BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{"bob", LevelReadOnly, "a long password"}); err == nil {
		t.Fatal("CreateUser succeeded without its audit row")
	}
	if _, err := st.UserByName(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("user without an audit row: UserByName = %v, want ErrNotFound", err)
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	ctx := context.Background()
	st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "s.db"), Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, NewUser{"alice", LevelReadOnly, "a long password"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st.SetClock(func() time.Time { return start })
	if err := st.SignIn(ctx, SignIn{Token: "old", User: u}); err != nil {
		t.Fatal(err)
	}
	st.SetClock(func() time.Time { return start.Add(IdleTimeout) })
	if err := st.SignIn(ctx, SignIn{Token: "fresh", User: u}); err != nil {
		t.Fatal(err)
	}
	st.SetClock(func() time.Time { return start.Add(IdleTimeout + time.Minute) })
	if n, err := st.DeleteExpiredSessions(ctx); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := st.SessionByToken(ctx, "fresh"); err != nil {
		t.Errorf("fresh session: %v, want it kept", err)
	}
	if _, err := st.SessionByToken(ctx, "old"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old session: %v, want ErrNotFound", err)
	}
}

// TestResetPassword: the new password works, the old one and every open
// session do not, the reset is audited, and a short password or an unknown
// user changes nothing.
func TestResetPassword(t *testing.T) {
	ctx := context.Background()
	st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "r.db"), Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, NewUser{"admin", LevelAdmin, "the old password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SignIn(ctx, SignIn{Token: "open", User: u}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ResetPassword(ctx, "admin", "short", "cli"); err == nil {
		t.Error("a short password was accepted")
	}
	if _, err := st.ResetPassword(ctx, "nobody", "a new long password", "cli"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user = %v, want ErrNotFound", err)
	}
	if _, err := st.Authenticate(ctx, "admin", "the old password"); err != nil {
		t.Fatalf("a refused reset changed the password: %v", err)
	}
	if _, err := st.ResetPassword(ctx, "ADMIN", "a new long password", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "admin", "a new long password"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := st.Authenticate(ctx, "admin", "the old password"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("old password = %v, want ErrBadCredentials", err)
	}
	if _, err := st.SessionByToken(ctx, "open"); !errors.Is(err, ErrNotFound) {
		t.Errorf("session open before the reset: %v, want ErrNotFound", err)
	}
	log, err := st.AuditLog(ctx, AuditFilter{Action: "user.password_reset"})
	if err != nil || len(log) != 1 || log[0].TargetID != "admin" || log[0].Actor != "cli" {
		t.Errorf("audit = %+v, %v; want one user.password_reset of admin by cli", log, err)
	}
}

// TestSignInRehashesAtTheConfiguredCost: after the bcrypt cost changes, a
// user's next successful sign-in makes the hash again at the new cost (so a
// known name's check takes as long as an unknown one's); a wrong password
// changes nothing.
func TestSignInRehashesAtTheConfiguredCost(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cost.db")
	st, err := OpenWith(ctx, path, Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, NewUser{"alice", LevelAdmin, "a fine password"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = OpenWith(ctx, path, Options{BcryptCost: bcrypt.MinCost + 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cost := func() int {
		u, err := st.UserByName(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := bcrypt.Cost(u.passwordHash)
		return c
	}
	if _, err := st.Authenticate(ctx, "alice", "a wrong password"); !errors.Is(err, ErrBadCredentials) || cost() != bcrypt.MinCost {
		t.Errorf("wrong password: err %v, cost %d; want refused and the hash unchanged", err, cost())
	}
	if _, err := st.Authenticate(ctx, "alice", "a fine password"); err != nil || cost() != bcrypt.MinCost+1 {
		t.Errorf("sign-in: err %v, cost %d; want the hash made again at %d", err, cost(), bcrypt.MinCost+1)
	}
	if _, err := st.Authenticate(ctx, "alice", "a fine password"); err != nil {
		t.Errorf("sign-in with the new hash: %v", err)
	}
}
