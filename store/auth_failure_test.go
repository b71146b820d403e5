package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"short is kept", "alice", 64, "alice"},
		{"exactly n is kept", strings.Repeat("a", 64), 64, strings.Repeat("a", 64)},
		{"long is cut and marked", strings.Repeat("a", 1<<20), 64, strings.Repeat("a", 64-len("…[cut, 1048576 bytes]")) + "…[cut, 1048576 bytes]"},
		{"cut on a rune boundary", strings.Repeat("é", 100), 64, strings.Repeat("é", 22) + "…[cut, 200 bytes]"},
	} {
		got := Cut(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("%s: Cut = %q, want %q", tc.name, got, tc.want)
		}
		if len(got) > tc.n || !utf8.ValidString(got) {
			t.Errorf("%s: Cut = %d bytes (valid UTF-8 %v), want at most %d, valid", tc.name, len(got), utf8.ValidString(got), tc.n)
		}
	}
}

func TestAuditCutsLongFields(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	if err := st.Audit(ctx, AuditEntry{Actor: "anonymous", Action: "test", TargetID: strings.Repeat("t", 1<<20), Detail: strings.Repeat("d", 1<<20)}); err != nil {
		t.Fatal(err)
	}
	rows, err := st.AuditLog(ctx, AuditFilter{Action: "test"})
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows = %v, %v", rows, err)
	}
	if len(rows[0].TargetID) > auditFieldMax || len(rows[0].Detail) > auditFieldMax {
		t.Errorf("stored %d and %d bytes, want at most %d each", len(rows[0].TargetID), len(rows[0].Detail), auditFieldMax)
	}
}

// TestUnknownUserHashHasTheConfiguredCost: an unknown username is checked
// against a hash at the cost of real ones, so it takes as long.
func TestUnknownUserHashHasTheConfiguredCost(t *testing.T) {
	for _, cost := range []int{bcrypt.MinCost, 6, 11} {
		if got, err := bcrypt.Cost(dummyHash(cost)); err != nil || got != cost {
			t.Errorf("dummy hash cost = %d (%v), want %d", got, err, cost)
		}
	}
}

// TestAuthenticateTimeDoesNotTellUsersApart compares, as a ratio, the median
// time of a wrong password for a real user with that of an unknown user.
func TestAuthenticateTimeDoesNotTellUsersApart(t *testing.T) {
	ctx := context.Background()
	st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "u.db"), Options{BcryptCost: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateUser(ctx, NewUser{"alice", LevelAdmin, "a long password"}); err != nil {
		t.Fatal(err)
	}
	timeIt := func(username string) time.Duration {
		start := time.Now()
		st.Authenticate(ctx, username, "a wrong password")
		return time.Since(start)
	}
	timeIt("warm-up")
	var known, unknown []time.Duration
	for range 7 {
		known = append(known, timeIt("alice"))
		unknown = append(unknown, timeIt("mallory"))
	}
	slices.Sort(known)
	slices.Sort(unknown)
	ratio := float64(unknown[3]) / float64(known[3])
	if ratio < 0.5 || ratio > 2 {
		t.Errorf("unknown/known median time = %.2f (%v / %v), want between 0.5 and 2", ratio, unknown[3], known[3])
	}
}

func TestThrottleAddress(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"::ffff:192.0.2.1":         "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1%eth": "2001:db8:1:2::/64",
		"not an address":           "not an address",
	} {
		if got := ThrottleAddress(in); got != want {
			t.Errorf("ThrottleAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUserSummariesShowLockedAccounts: failed sign-ins from many addresses
// reach the per-account limit; the users list says locked, and an admin's
// unlock forgets them in one audited change.
func TestUserSummariesShowLockedAccounts(t *testing.T) {
	st := openUsersStore(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, NewUser{Username: "Alice", Level: LevelOperational, Password: "a fine password"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range MaxFailsPerAccount {
		if _, err := st.ReserveSignIn(ctx, "alice", "198.51.100."+strconv.Itoa(i)); err != nil {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if _, err := st.ReserveSignIn(ctx, "alice", "203.0.113.9"); err == nil {
		t.Fatal("a try past the account's limit was let through")
	}
	summary := func() UserSummary {
		t.Helper()
		all, err := st.UserSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			if s.ID == u.ID {
				return s
			}
		}
		t.Fatal("alice is not listed")
		return UserSummary{}
	}
	if s := summary(); s.FailedSignIns != MaxFailsPerAccount || !s.Locked {
		t.Errorf("summary = %d failed, locked %v; want %d, locked", s.FailedSignIns, s.Locked, MaxFailsPerAccount)
	}
	admin := Actor{Username: "root", Level: LevelAdmin}
	if _, err := st.UnlockUserChange(ctx, UserChange{UserID: u.ID, Actor: admin}); err == nil {
		t.Error("an unlock without a reason was accepted")
	}
	if n, err := st.UnlockUserChange(ctx, UserChange{UserID: u.ID, Reason: "called the help desk", Actor: admin}); err != nil || n != MaxFailsPerAccount {
		t.Fatalf("unlock = %d, %v; want %d forgotten", n, err, MaxFailsPerAccount)
	}
	if s := summary(); s.FailedSignIns != 0 || s.Locked {
		t.Errorf("after the unlock: %d failed, locked %v; want none", s.FailedSignIns, s.Locked)
	}
	if _, err := st.ReserveSignIn(ctx, "alice", "203.0.113.9"); err != nil {
		t.Errorf("after the unlock a try is refused: %v", err)
	}
	rows, _ := st.AuditLog(ctx, AuditFilter{Action: AuditUserUnlock})
	if len(rows) != 1 || rows[0].Result != ResultOK || rows[0].Actor != "root" || !strings.Contains(rows[0].Detail, "help desk") {
		t.Errorf("unlock audit = %+v, want one ok row by root with the reason", rows)
	}
}

// TestStepUpLockoutOnceWithoutSessions: a password typed once the step-up
// limit was reached is refused unchecked; it writes no second lockout row
// when it finds no session to end, and ends and audits one it finds (which
// no sign-in leaves, since a sign-in forgets the count).
func TestStepUpLockoutOnceWithoutSessions(t *testing.T) {
	st := openUsersStore(t)
	ctx := context.Background()
	u, err := st.CreateUser(ctx, NewUser{Username: "alice", Level: LevelReadOnly, Password: "a fine password"})
	if err != nil {
		t.Fatal(err)
	}
	actor := Actor{Username: "alice", Level: LevelReadOnly}
	change := func(current string) error {
		return st.ChangePassword(ctx, PasswordChange{UserID: u.ID, Current: current, New: "another fine password",
			Confirm: "another fine password", Actor: actor})
	}
	lockouts := func() []AuditEntry {
		t.Helper()
		rows, err := st.AuditLog(ctx, AuditFilter{Action: AuditUserStepUpLockout})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	for i := 1; i <= MaxStepUpFails; i++ {
		err := change("guess " + strconv.Itoa(i))
		if _, wrong := errors.AsType[FieldErrors](err); i < MaxStepUpFails && !wrong {
			t.Fatalf("wrong password %d: %v, want a field error", i, err)
		}
		if i == MaxStepUpFails && !errors.Is(err, ErrStepUpLockout) {
			t.Fatalf("wrong password %d: %v, want ErrStepUpLockout", i, err)
		}
	}
	if rows := lockouts(); len(rows) != 1 || !strings.HasSuffix(rows[0].Detail, ": 0 session(s) ended") {
		t.Fatalf("lockout rows = %+v, want one", rows)
	}
	for _, current := range []string{"a fine password", "guess again"} {
		if err := change(current); !errors.Is(err, ErrStepUpLockout) {
			t.Errorf("password %q after the lockout: %v, want ErrStepUpLockout", current, err)
		}
	}
	if rows := lockouts(); len(rows) != 1 {
		t.Errorf("lockout rows after two more tries = %d, want 1: %+v", len(rows), rows)
	}
	if err := st.SignIn(ctx, SignIn{Token: "left-behind", User: u, RemoteAddr: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	if err := change("a fine password"); !errors.Is(err, ErrStepUpLockout) {
		t.Errorf("with a session left behind: %v, want ErrStepUpLockout", err)
	}
	if _, err := st.SessionByToken(ctx, "left-behind"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the session left behind: %v, want it ended", err)
	}
	if rows := lockouts(); len(rows) != 2 || !strings.HasSuffix(rows[0].Detail, ": 1 session(s) ended") {
		t.Errorf("lockout rows = %+v, want a second one that ended 1 session", rows)
	}
}

// TestUserSummariesShowPausedAddresses: an account whose failures from an
// address reach that pair's limit lists the address, until the limit's own
// failure leaves the window; failures below the limit list nothing.
func TestUserSummariesShowPausedAddresses(t *testing.T) {
	st := openUsersStore(t)
	ctx := context.Background()
	if _, err := st.CreateUser(ctx, NewUser{Username: "alice", Level: LevelOperational, Password: "a fine password"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	fail := func(at time.Time, address string, n int) {
		t.Helper()
		st.SetClock(func() time.Time { return at })
		for i := range n {
			if _, err := st.ReserveSignIn(ctx, "Alice", address); err != nil {
				t.Fatalf("try %d from %s: %v", i, address, err)
			}
		}
	}
	fail(t0, "203.0.113.7", MaxFailsPerAccountAddress)
	fail(t0.Add(5*time.Minute), "2001:db8::1", MaxFailsPerAccountAddress)
	fail(t0.Add(6*time.Minute), "198.51.100.9", MaxFailsPerAccountAddress-1)
	paused := func(at time.Time) []PausedAddress {
		t.Helper()
		st.SetClock(func() time.Time { return at })
		all, err := st.UserSummaries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			if s.Username == "alice" {
				return s.Paused
			}
		}
		t.Fatal("alice is not listed")
		return nil
	}
	want := []PausedAddress{{"203.0.113.7", t0.Add(SignInWindow)}, {"2001:db8::/64", t0.Add(5*time.Minute + SignInWindow)}}
	if got := paused(t0.Add(10 * time.Minute)); !slices.EqualFunc(got, want, func(a, b PausedAddress) bool { return a.Address == b.Address && a.Until.Equal(b.Until) }) {
		t.Errorf("paused = %v, want %v", got, want)
	}
	if got := paused(t0.Add(SignInWindow)); len(got) != 1 || got[0].Address != "2001:db8::/64" {
		t.Errorf("once the first window ended: paused = %v, want only 2001:db8::/64", got)
	}
	if got := paused(t0.Add(5*time.Minute + SignInWindow)); len(got) != 0 {
		t.Errorf("once both windows ended: paused = %v, want none", got)
	}
}
