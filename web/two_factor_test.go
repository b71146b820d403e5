package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// clock is a test clock for the store, moved by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// enrol takes username through enrolment from a signed-in session and
// returns the secret and the recovery codes.
func enrol(t *testing.T, e *testEnv, c *clock, cookie *http.Cookie) (string, []string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/account/2fa", nil)
	req.AddCookie(cookie)
	rec := e.do(req)
	secret := between(rec.Body.String(), `data-testid="totp-secret">`, "<")
	if rec.Code != http.StatusOK || secret == "" {
		t.Fatalf("enrolment page: status %d, no secret; body %.400s", rec.Code, rec.Body.String())
	}
	req = httptest.NewRequest("GET", "/account/2fa/qr.png", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" ||
		rec.Header().Get("Cache-Control") != "no-store" || !strings.HasPrefix(rec.Body.String(), "\x89PNG") {
		t.Errorf("QR code: status %d, type %q, cache %q; want an uncached PNG", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
	}
	req = formRequest("POST", "/account/2fa", url.Values{"code": {"000000"}})
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "That is not the code for this secret now.") {
		t.Errorf("enrol with a wrong code: status %d, want 422 in words", rec.Code)
	}
	code, _ := store.TOTPCode(secret, c.t)
	req = formRequest("POST", "/account/2fa", url.Values{"code": {code}})
	req.AddCookie(cookie)
	rec = e.do(req)
	list := between(rec.Body.String(), `data-testid="recovery-codes">`, "</ul>")
	codes := strings.Fields(strings.NewReplacer("<li>", " ", "</li>", " ").Replace(list))
	if rec.Code != http.StatusOK || len(codes) != store.RecoveryCodeCount {
		t.Fatalf("enrol: status %d, %d recovery codes; want 200 and %d", rec.Code, len(codes), store.RecoveryCodeCount)
	}
	return secret, codes
}

// signIn posts the password and, when asked, the code; it returns the last
// answer.
func signIn(e *testEnv, username, code string) *httptest.ResponseRecorder {
	rec := e.do(formRequest("POST", "/login", url.Values{"username": {username}, "password": {testPassword}, "next": {"/events"}}))
	if rec.Header().Get("Location") != "/login/2fa" {
		return rec
	}
	req := formRequest("POST", "/login/2fa", url.Values{"code": {code}})
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	return e.do(req)
}

func TestTwoFactorSignIn(t *testing.T) {
	c := &clock{t: time.Now()}
	e := newTestEnv(t)
	e.store.SetClock(c.now)
	secret, recovery := enrol(t, e, c, e.login("operator"))

	// The password alone no longer signs in.
	rec := e.do(formRequest("POST", "/login", url.Values{"username": {"operator"}, "password": {testPassword}}))
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login/2fa" {
		t.Fatalf("password step: status %d Location %q, want 303 to /login/2fa", rec.Code, rec.Header().Get("Location"))
	}
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			t.Errorf("a session cookie after the password alone")
		}
	}
	// The code used for enrolment is used up.
	enrolCode, _ := store.TOTPCode(secret, c.t)
	if rec := signIn(e, "operator", enrolCode); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "That code was used already.") {
		t.Errorf("reused code: status %d, want 401 in words; body %.300s", rec.Code, rec.Body.String())
	}
	old, _ := store.TOTPCode(secret, c.t.Add(-10*time.Minute))
	if rec := signIn(e, "operator", old); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "one from another period") {
		t.Errorf("code from another period: status %d, want 401 in words", rec.Code)
	}
	c.t = c.t.Add(30 * time.Second)
	code, _ := store.TOTPCode(secret, c.t)
	rec = signIn(e, "operator", code)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/events" {
		t.Fatalf("code step: status %d Location %q, want 303 to /events", rec.Code, rec.Header().Get("Location"))
	}
	sessionCookieOf(t, rec)
	if rec := signIn(e, "operator", code); rec.Code != http.StatusUnauthorized {
		t.Errorf("same code again: status %d, want 401", rec.Code)
	}
	// A recovery code works once.
	if rec := signIn(e, "operator", recovery[0]); rec.Code != http.StatusSeeOther {
		t.Errorf("recovery code: status %d, want 303", rec.Code)
	}
	if rec := signIn(e, "operator", recovery[0]); rec.Code != http.StatusUnauthorized {
		t.Errorf("recovery code again: status %d, want 401", rec.Code)
	}
	assertAudit(t, e, "login.2fa", "anonymous", store.ResultRefused)
	assertAudit(t, e, store.AuditTwoFactorEnrol, "operator", store.ResultOK)
}

func TestTwoFactorStepIsThrottled(t *testing.T) {
	c := &clock{t: time.Now()}
	e := newTestEnv(t)
	e.store.SetClock(c.now)
	enrol(t, e, c, e.login("viewer"))
	var rec *httptest.ResponseRecorder
	for range store.MaxFailsPerAccountAddress + 1 {
		rec = signIn(e, "viewer", "123456x")
	}
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Too many failed sign-ins.") {
		t.Errorf("after %d wrong codes: status %d, want 429", store.MaxFailsPerAccountAddress, rec.Code)
	}
	// The password step does not reset the count.
	if rec := signIn(e, "viewer", "654321"); rec.Code != http.StatusTooManyRequests {
		t.Errorf("password again then a code: status %d, want 429", rec.Code)
	}
}

func TestTwoFactorStepWithoutPassword(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "the code step alone is sent back to sign in", method: "POST", url: "/login/2fa",
			form:       url.Values{"code": {"123456"}},
			wantStatus: http.StatusUnauthorized, wantContains: []string{"Sign in again."},
		},
	})
}

// TestRequiredTwoFactorComesFirst: at --require-2fa-level 3 an admin
// without two-factor reaches only enrolment (and sign-out) until enrolled.
func TestRequiredTwoFactorComesFirst(t *testing.T) {
	c := &clock{t: time.Now()}
	e := newTestEnv(t, func(cfg *Config) { cfg.RequireTwoFactorLevel = store.LevelAdmin })
	e.store.SetClock(c.now)
	admin := e.login("admin")
	for _, path := range []string{"/cards", "/settings/users", "/account"} {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(admin)
		if rec := e.do(req); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account/2fa" {
			t.Errorf("GET %s: status %d Location %q, want 303 to /account/2fa", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	req := httptest.NewRequest("GET", "/account/2fa", nil)
	req.AddCookie(admin)
	if rec := e.do(req); !strings.Contains(rec.Body.String(), "Your level requires two-factor sign-in.") {
		t.Errorf("enrolment page does not say why")
	}
	// Below the level nothing changes.
	req = httptest.NewRequest("GET", "/cards", nil)
	req.AddCookie(e.login("operator"))
	if rec := e.do(req); rec.Code != http.StatusOK {
		t.Errorf("operator: status %d, want 200", rec.Code)
	}
	enrol(t, e, c, admin)
	req = httptest.NewRequest("GET", "/settings/users", nil)
	req.AddCookie(admin)
	if rec := e.do(req); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Users") {
		t.Errorf("after enrolment: status %d, want 200", rec.Code)
	}
}

// TestReissueStepUpWithCode: an admin with two-factor confirms a reissue
// with password and code; a missing code is asked for, a wrong one is a
// wrong try and changes nothing; a right one is spent by the reissue, not
// by a try refused for something else.
func TestReissueStepUpWithCode(t *testing.T) {
	c := &clock{t: time.Now()}
	e := newTestEnv(t)
	e.store.SetClock(c.now)
	admin := e.login("admin")
	secret, _ := enrol(t, e, c, admin)
	card := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, admin, card.ID)
	confirm := func(code string) *httptest.ResponseRecorder {
		return e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {card.Last4}, "password": {testPassword}, "code": {code}})
	}
	wantBody(t, e.get(admin, "/reissues/"+rid), http.StatusOK, `name="code"`)
	wantBody(t, confirm(""), http.StatusUnprocessableEntity, "Type the code from your authenticator app.")
	used, _ := store.TOTPCode(secret, c.t)
	rec := confirm(used)
	wantBody(t, rec, http.StatusUnprocessableEntity, "Wrong code, one from another period, or one used already", "4 of 5 tries left")
	if strings.Contains(rec.Body.String(), "That is not your password") {
		t.Error("a right password is reported wrong")
	}
	if got := cardNow(t, e, card.ID); got.Last4 != card.Last4 {
		t.Fatalf("a wrong code changed the card")
	}
	c.t = c.t.Add(30 * time.Second)
	code, _ := store.TOTPCode(secret, c.t)
	// A right code with a wrong last 4 is a wrong try that keeps the code:
	// it is spent by the reissue it allows.
	rec = e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {wrongLast4(card.Last4)}, "password": {testPassword}, "code": {code}})
	wantBody(t, rec, http.StatusUnprocessableEntity, "That is not the last 4 of the card", "3 of 5 tries left")
	if strings.Contains(rec.Body.String(), "Wrong code") {
		t.Error("a right code is reported wrong")
	}
	if rec := confirm(code); rec.Code != http.StatusSeeOther {
		t.Fatalf("password and code: status %d, want 303; body %.400s", rec.Code, rec.Body.String())
	}
	if got := cardNow(t, e, card.ID); got.Last4 == card.Last4 {
		t.Errorf("card not reissued")
	}
	if rec := signIn(e, "admin", code); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "That code was used already.") {
		t.Errorf("the code the reissue spent, at sign-in: status %d, want 401 used already", rec.Code)
	}
}

// wrongLast4 is a last 4 other than last4.
func wrongLast4(last4 string) string {
	if last4 == "0000" {
		return "1111"
	}
	return "0000"
}

// TestTwoFactorChallengeCookieSecure: the half-finished sign-in's cookie is
// Secure whenever the session cookie would be, a trusted proxy's https
// included.
func TestTwoFactorChallengeCookieSecure(t *testing.T) {
	c := &clock{t: time.Now()}
	e := newTestEnv(t, func(cfg *Config) { cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	e.store.SetClock(c.now)
	enrol(t, e, c, e.login("operator"))
	for _, proto := range []string{"https", "http"} {
		req := formRequest("POST", "/login", url.Values{"username": {"operator"}, "password": {testPassword}})
		req.RemoteAddr = "10.1.2.3:5555"
		req.Header.Set("X-Forwarded-Proto", proto)
		rec := e.do(req)
		var challenge *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == challengeCookie {
				challenge = ck
			}
		}
		if rec.Header().Get("Location") != "/login/2fa" || challenge == nil {
			t.Fatalf("%s: status %d Location %q, no challenge cookie", proto, rec.Code, rec.Header().Get("Location"))
		}
		if challenge.Secure != (proto == "https") {
			t.Errorf("behind a proxy saying %s: challenge cookie Secure = %v", proto, challenge.Secure)
		}
	}
}

// TestPasswordStepAuditedWithChallenge: the half-finished sign-in of an
// enrolled user and its audit row are one transaction: the row names the
// account and the address (the person is not signed in yet: anonymous), and
// when it cannot be written no second step is opened.
func TestPasswordStepAuditedWithChallenge(t *testing.T) {
	enrolled := func(t *testing.T, e *testEnv) {
		c := &clock{t: time.Now()}
		e.store.SetClock(c.now)
		enrol(t, e, c, e.login("operator"))
	}
	runScenarios(t, []scenario{
		{
			name: "the audit row names the account and the address", method: "POST", url: "/login",
			form: url.Values{"username": {"operator"}, "password": {testPassword}}, before: enrolled,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/login/2fa"},
			wantAudit: []string{"login.password ok"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: store.AuditLoginPassword})
				if err != nil {
					t.Fatal(err)
				}
				wantAuditEntry(t, rows, store.AuditEntry{Actor: "anonymous", RemoteAddr: "192.0.2.1", Action: store.AuditLoginPassword,
					TargetType: "user", TargetID: "operator", Result: store.ResultOK, Detail: "second factor asked"})
			},
		},
		{
			name: "an audit row that cannot be written opens no second step", method: "POST", url: "/login",
			form: url.Values{"username": {"operator"}, "password": {testPassword}},
			before: func(t *testing.T, e *testEnv) {
				enrolled(t, e)
				e.failAudit(t, store.AuditLoginPassword, store.ResultOK)
			},
			wantStatus: http.StatusInternalServerError, wantContains: []string{"Something went wrong"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if n := e.countRows(t, "login_challenges"); n != 0 {
					t.Errorf("login challenges = %d, want none: the password step has no audit row", n)
				}
				for _, c := range rec.Result().Cookies() {
					if c.Name == challengeCookie && c.Value != "" {
						t.Errorf("a second-step cookie was set for a password step with no audit row")
					}
				}
			},
		},
	})
}

// TestTwoFactorSignInThatFailsKeepsItsCode: when the sign-in a right code
// finishes cannot be stored, the person sees an error and presses Sign in
// again on the same page with the same code, which still works (before,
// the code was spent first: a recovery code was lost). The half-finished
// sign-in ends with the sign-in.
func TestTwoFactorSignInThatFailsKeepsItsCode(t *testing.T) {
	c := &clock{t: time.Now()}
	e := newTestEnv(t)
	e.store.SetClock(c.now)
	_, recovery := enrol(t, e, c, e.login("operator"))
	rec := e.do(formRequest("POST", "/login", url.Values{"username": {"operator"}, "password": {testPassword}, "next": {"/events"}}))
	if rec.Header().Get("Location") != "/login/2fa" {
		t.Fatalf("password step: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	challenge := rec.Result().Cookies()
	submit := func() *httptest.ResponseRecorder {
		req := formRequest("POST", "/login/2fa", url.Values{"code": {recovery[0]}})
		for _, ck := range challenge {
			req.AddCookie(ck)
		}
		return e.do(req)
	}

	e.failAudit(t, store.AuditLogin, store.ResultOK)
	if rec := submit(); rec.Code != http.StatusInternalServerError {
		t.Fatalf("sign-in with its audit row refused: status %d, want 500", rec.Code)
	}
	if _, err := e.store.Writer().ExecContext(t.Context(), `DROP TRIGGER test_audit_fails`); err != nil {
		t.Fatal(err)
	}
	rec = submit()
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/events" {
		t.Fatalf("the same recovery code again: status %d Location %q, want 303 to /events; body %.300s",
			rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	sessionCookieOf(t, rec)
	if rec := submit(); rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "Sign in again.") {
		t.Errorf("the finished sign-in's page sent again: status %d, want 401 asking to sign in again", rec.Code)
	}
	if rec := signIn(e, "operator", recovery[0]); rec.Code != http.StatusUnauthorized {
		t.Errorf("the recovery code in a new sign-in: status %d, want 401 (spent)", rec.Code)
	}
}
