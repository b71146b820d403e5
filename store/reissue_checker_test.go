package store

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// adminActor is the admin as user management names them.
func (e *reissueEnv) adminActor(name string) Actor {
	return Actor{Username: name, Level: LevelAdmin, RemoteAddr: "192.0.2.1"}
}

// consoleUser makes a user as an admin does in the console (its password
// set by that admin) and signs it in once: the first sign-in makes the
// person (or whoever holds the one-time password) choose a new one.
func (e *reissueEnv) consoleUser(by, name string, level Level) User {
	e.t.Helper()
	u, pw, err := e.st.CreateUserByAdmin(e.ctx, UserCreate{Username: name, Level: level, Password: "chosen by " + by, Actor: e.adminActor(by)})
	if err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
	e.changeOwnPassword(u, pw)
	e.users[name] = u
	return u
}

// changeOwnPassword changes u's password to reissueTestPassword as u.
func (e *reissueEnv) changeOwnPassword(u User, current string) {
	e.t.Helper()
	if err := e.st.ChangePassword(e.ctx, PasswordChange{UserID: u.ID, Current: current, New: reissueTestPassword,
		Confirm: reissueTestPassword, Actor: Actor{Username: u.Username, Level: u.Level}}); err != nil {
		e.t.Fatalf("%s changes their password: %v", u.Username, err)
	}
}

// setLevel changes name's level as admin by.
func (e *reissueEnv) setLevel(by, name string, level Level) {
	e.t.Helper()
	u, err := e.st.SetUserLevel(e.ctx, UserChange{UserID: e.users[name].ID, Level: level, Reason: "test", Actor: e.adminActor(by)})
	if err != nil {
		e.t.Fatalf("%s sets %s to level %d: %v", by, name, level, err)
	}
	u.Level = level
	e.users[name] = u
}

// TestReissueFourEyesRefusesAnAccountTheMakerControls: in four-eyes mode the
// second admin is refused when the maker controls the account (made it,
// made it an admin, reset its password), even after the account changed
// its own password, and when it became an admin after the request. The
// refusal is audited, is no wrong try, and leaves the request pending for
// an admin the maker does not control.
func TestReissueFourEyesRefusesAnAccountTheMakerControls(t *testing.T) {
	cases := []struct {
		name string
		// setup runs before the request (by alice) is made, after runs
		// after it; both return who confirms.
		setup, after func(e *reissueEnv) string
		want         CheckerControl
	}{
		{name: "an admin the maker created, who chose their own password at first sign-in",
			setup: func(e *reissueEnv) string { e.consoleUser("alice", "mallory", LevelAdmin); return "mallory" },
			want:  CheckerCredentialsByMaker},
		{name: "an operator the maker created, promoted by another admin",
			setup: func(e *reissueEnv) string {
				e.consoleUser("alice", "mallory", LevelOperational)
				e.setLevel("carol", "mallory", LevelAdmin)
				return "mallory"
			},
			want: CheckerCredentialsByMaker},
		{name: "an admin whose password the maker reset, changed since by the account",
			setup: func(e *reissueEnv) string {
				_, pw, err := e.st.ResetUserPassword(e.ctx, UserChange{UserID: e.users["bob"].ID, Reason: "lost it", Actor: e.adminActor("alice")})
				if err != nil {
					e.t.Fatal(err)
				}
				e.changeOwnPassword(e.users["bob"], pw)
				return "bob"
			},
			want: CheckerCredentialsByMaker},
		{name: "an admin whose two-factor the maker turned off",
			setup: func(e *reissueEnv) string {
				if err := e.st.ResetTwoFactor(e.ctx, "bob", e.adminActor("alice")); err != nil {
					e.t.Fatal(err)
				}
				return "bob"
			},
			want: CheckerCredentialsByMaker},
		{name: "an operator with their own password whom the maker promoted",
			setup: func(e *reissueEnv) string {
				e.cliUser("oscar", LevelOperational)
				e.setLevel("alice", "oscar", LevelAdmin)
				return "oscar"
			},
			want: CheckerMadeAdminByMaker},
		{name: "an operator another admin promoted after the request was made",
			setup: func(e *reissueEnv) string { e.cliUser("oscar", LevelOperational); return "" },
			after: func(e *reissueEnv) string {
				e.advance(time.Second)
				e.setLevel("carol", "oscar", LevelAdmin)
				return "oscar"
			},
			want: CheckerAdminAfterRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newReissueEnv(t)
			id, _ := e.addCard("ACTIVE")
			who := tc.setup(e)
			e.advance(time.Second)
			req := e.request(id, "alice", true)
			if tc.after != nil {
				who = tc.after(e)
			}
			last4 := e.card(id).Last4
			got, err := e.confirm(req.ID, who, last4, reissueTestPassword)
			var ce *ReissueCheckerError
			if !errors.As(err, &ce) || !errors.Is(err, ErrReissueNotIndependent) {
				t.Fatalf("%s confirms: err = %v, want a ReissueCheckerError", who, err)
			}
			if ce.Control != tc.want || ce.Maker != "alice" || ce.Checker != who {
				t.Errorf("refusal = %+v, want control %d, maker alice, checker %s", ce, tc.want, who)
			}
			if e.card(id).Last4 != last4 || got.Status != ReissuePending || got.FailedAttempts != 0 {
				t.Errorf("after the refusal: last 4 %s (want %s), request %s with %d failed tries, want PENDING with 0",
					e.card(id).Last4, last4, got.Status, got.FailedAttempts)
			}
			var detail string
			if err := e.st.r.QueryRowContext(e.ctx, `SELECT detail FROM audit_log WHERE target_id = ? AND action = ? AND result = ? AND actor = ?`,
				id, AuditReissueConfirm, ResultRefused, who).Scan(&detail); err != nil || !strings.Contains(detail, "not a second person") {
				t.Errorf("audit of the refusal: %q, %v; want a refused reissue.confirm row saying why", detail, err)
			}
			if err := e.st.ReissueCheckerRefusal(e.ctx, req, e.users[who].ID); !errors.Is(err, ErrReissueNotIndependent) {
				t.Errorf("ReissueCheckerRefusal(%s) = %v, want ErrReissueNotIndependent", who, err)
			}
			// An admin the maker does not control still can.
			if err := e.st.ReissueCheckerRefusal(e.ctx, req, e.users["carol"].ID); err != nil {
				t.Errorf("ReissueCheckerRefusal(carol) = %v, want nil", err)
			}
			if _, err := e.confirm(req.ID, "carol", last4, reissueTestPassword); err != nil {
				t.Fatalf("carol confirms: %v", err)
			}
		})
	}
}

// cliUser makes a user as `cardops user add` does, with a password the
// person chose.
func (e *reissueEnv) cliUser(name string, level Level) User {
	e.t.Helper()
	u, err := e.st.CreateUser(e.ctx, NewUser{Username: name, Level: level, Password: reissueTestPassword})
	if err != nil {
		e.t.Fatal(err)
	}
	e.users[name] = u
	return u
}

// TestReissueFourEyesControlLiftedByAnother: a password set again by the
// command line or by another admin takes the account out of the maker's
// hands; the rule only applies in four-eyes mode; and a maker's control
// does not reach requests of another maker.
func TestReissueFourEyesControlLiftedByAnother(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	// Made by alice, who chose its first password, an admin by carol's
	// promotion.
	e.consoleUser("alice", "mallory", LevelOperational)
	e.setLevel("carol", "mallory", LevelAdmin)
	e.advance(time.Second)

	// Another maker's request: alice's control of mallory is no matter.
	req := e.request(id, "bob", true)
	if _, err := e.confirm(req.ID, "mallory", e.card(id).Last4, reissueTestPassword); err != nil {
		t.Fatalf("mallory confirms bob's request: %v", err)
	}

	// The command line sets mallory's password: alice no longer knows it.
	if _, err := e.st.ResetPassword(e.ctx, "mallory", "set at the terminal", "cli"); err != nil {
		t.Fatal(err)
	}
	req = e.request(id, "alice", true)
	if _, err := e.confirm(req.ID, "mallory", e.card(id).Last4, "set at the terminal"); err != nil {
		t.Fatalf("mallory confirms alice's request after a reset at the terminal: %v", err)
	}

	// Another admin resets it: the account is then carol's, not alice's.
	_, pw, err := e.st.ResetUserPassword(e.ctx, UserChange{UserID: e.users["mallory"].ID, Reason: "forgot", Actor: e.adminActor("carol")})
	if err != nil {
		t.Fatal(err)
	}
	e.changeOwnPassword(e.users["mallory"], pw)
	req = e.request(id, "alice", true)
	if _, err := e.confirm(req.ID, "mallory", e.card(id).Last4, reissueTestPassword); err != nil {
		t.Fatalf("mallory confirms alice's request after carol reset the password: %v", err)
	}
	req = e.request(id, "carol", true)
	if _, err := e.confirm(req.ID, "mallory", e.card(id).Last4, reissueTestPassword); !errors.Is(err, ErrReissueNotIndependent) {
		t.Fatalf("mallory confirms carol's request after carol reset the password: err = %v, want ErrReissueNotIndependent", err)
	}

	// Outside four-eyes mode the maker confirms their own, as before.
	req = e.request(id, "alice", false)
	if _, err := e.confirm(req.ID, "alice", e.card(id).Last4, reissueTestPassword); err != nil {
		t.Fatalf("alice confirms her own request without four-eyes: %v", err)
	}
}
