package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardops/store"
)

func TestLogin(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "good credentials start a session and go to next", method: "POST", url: "/login",
			wantAudit:   []string{"login ok"},
			form:        url.Values{"username": {"admin"}, "password": {testPassword}, "next": {"/audit"}},
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/audit"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				c := rec.Result().Cookies()
				if len(c) == 0 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
					t.Errorf("cookie = %+v, want an HttpOnly SameSite=Lax session cookie", c)
				}
				assertAudit(t, e, "login", "admin", store.ResultOK)
			},
		},
		{
			name: "username is case-insensitive", method: "POST", url: "/login",
			wantAudit:  []string{"login ok"},
			form:       url.Values{"username": {"ADMIN"}, "password": {testPassword}},
			wantStatus: http.StatusSeeOther,
		},
		{
			name: "wrong password is refused and audited", method: "POST", url: "/login",
			wantAudit:       []string{"login refused"},
			form:            url.Values{"username": {"admin"}, "password": {"wrong password!"}},
			wantStatus:      http.StatusUnauthorized,
			wantContains:    []string{"Wrong username or password."},
			wantNotContains: []string{"wrong password!"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if len(rec.Result().Cookies()) != 0 {
					t.Errorf("cookies = %v, want none", rec.Result().Cookies())
				}
				assertAudit(t, e, "login", "anonymous", store.ResultRefused)
			},
		},
		{
			name: "unknown user gets the same answer", method: "POST", url: "/login",
			wantAudit:    []string{"login refused"},
			form:         url.Values{"username": {"mallory"}, "password": {testPassword}},
			wantStatus:   http.StatusUnauthorized,
			wantContains: []string{"Wrong username or password."},
		},
		{
			name: "missing fields are named", method: "POST", url: "/login",
			form:         url.Values{"username": {""}},
			wantStatus:   http.StatusBadRequest,
			wantContains: []string{"Enter your username.", "Enter your password."},
		},
		{
			name: "next cannot point at another site", method: "POST", url: "/login",
			wantAudit:   []string{"login ok"},
			form:        url.Values{"username": {"admin"}, "password": {testPassword}, "next": {"//evil.example/"}},
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/"},
		},
		{
			name: "a cross-site form post is refused", method: "POST", url: "/login",
			wantAudit:    []string{"request.cross_origin refused"},
			form:         url.Values{"username": {"admin"}, "password": {testPassword}},
			headers:      map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
			wantStatus:   http.StatusForbidden,
			wantContains: []string{"sent from another site"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if len(rec.Result().Cookies()) != 0 {
					t.Errorf("cross-site sign-in set cookies %v", rec.Result().Cookies())
				}
				assertAudit(t, e, "request.cross_origin", "anonymous", store.ResultRefused)
			},
		},
	})
}

func TestLoginThrottle(t *testing.T) {
	e := newTestEnv(t)
	bad := url.Values{"username": {"admin"}, "password": {"not the password"}}
	for i := range store.MaxFailsPerAccountAddress {
		if rec := e.do(formRequest("POST", "/login", bad)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status = %d, want 401", i+1, rec.Code)
		}
	}
	// Now even the right password waits.
	rec := e.do(formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {testPassword}}))
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429", rec.Code)
	}
	if !strings.Contains(rec.Body.String(), "Too many failed sign-ins") || rec.Header().Get("Retry-After") == "" {
		t.Errorf("want a readable 429 page with Retry-After; got %q, body %.300s", rec.Header().Get("Retry-After"), rec.Body.String())
	}
	// Another account from elsewhere is not affected.
	other := formRequest("POST", "/login", url.Values{"username": {"viewer"}, "password": {testPassword}})
	other.RemoteAddr = "192.0.2.9:1234"
	if rec := e.do(other); rec.Code != http.StatusSeeOther {
		t.Errorf("other account: status = %d, want 303", rec.Code)
	}
	// Nor is the owner of the guessed account, from an address that has
	// not failed.
	owner := formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {testPassword}})
	owner.RemoteAddr = "198.51.100.7:4321"
	if rec := e.do(owner); rec.Code != http.StatusSeeOther {
		t.Errorf("owner from another address: status = %d, want 303", rec.Code)
	}
	// After the window the account may try again.
	e.store.SetClock(func() time.Time { return time.Now().Add(store.SignInWindow + time.Second) })
	if rec := e.do(formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {testPassword}})); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: status = %d, want 303", rec.Code)
	}
}

func TestLoginThrottlePerAddress(t *testing.T) {
	e := newTestEnv(t)
	for i := range store.MaxFailsPerAddress {
		req := formRequest("POST", "/login", url.Values{"username": {"user" + string(rune('a'+i))}, "password": {"nope nope nope"}})
		if rec := e.do(req); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status = %d, want 401", i+1, rec.Code)
		}
	}
	if rec := e.do(formRequest("POST", "/login", url.Values{"username": {"viewer"}, "password": {testPassword}})); rec.Code != http.StatusTooManyRequests {
		t.Errorf("status = %d, want 429 for a spraying address", rec.Code)
	}
}

// TestLoginThrottleParallelGuesses sends many wrong passwords for one
// account at once: no more may be checked than the limit allows, however
// they are timed.
func TestLoginThrottleParallelGuesses(t *testing.T) {
	e := newTestEnv(t)
	var checked atomic.Int64
	authenticate := e.server.authenticate
	e.server.authenticate = func(ctx context.Context, username, password string) (store.User, error) {
		checked.Add(1)
		return authenticate(ctx, username, password)
	}
	const guesses = 60
	codes := make(chan int, guesses)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range guesses {
		wg.Go(func() {
			req := formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {fmt.Sprintf("guess number %d", i)}})
			<-start
			codes <- e.do(req).Code
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if n := checked.Load(); n > store.MaxFailsPerAccountAddress {
		t.Errorf("%d passwords checked, want at most %d", n, store.MaxFailsPerAccountAddress)
	}
	if count[http.StatusUnauthorized] > store.MaxFailsPerAccountAddress || count[http.StatusTooManyRequests] < guesses-store.MaxFailsPerAccountAddress {
		t.Errorf("answers %v, want at most %d × 401 and the rest 429", count, store.MaxFailsPerAccountAddress)
	}
}

// TestLoginThrottleSurvivesRestart: the failures are in the database, so a
// new console on the same file still refuses.
func TestLoginThrottleSurvivesRestart(t *testing.T) {
	e := newTestEnv(t)
	bad := url.Values{"username": {"admin"}, "password": {"not the password"}}
	for range store.MaxFailsPerAccountAddress {
		e.do(formRequest("POST", "/login", bad))
	}
	path := e.store.Path()
	e.server.Close()
	e.store.Close()
	st, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := New(t.Context(), Config{Store: st, Logger: e.server.log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {testPassword}}))
	if rec.Code != http.StatusTooManyRequests {
		t.Errorf("after a restart: status = %d, want 429", rec.Code)
	}
}

// TestLoginThrottlePerAccount: guesses for one account from many addresses
// meet the slower limit per account; UnlockUser lifts it.
func TestLoginThrottlePerAccount(t *testing.T) {
	e := newTestEnv(t)
	from := func(i int, password string) *http.Request {
		req := formRequest("POST", "/login", url.Values{"username": {"operator"}, "password": {password}})
		req.RemoteAddr = fmt.Sprintf("203.0.113.%d:5000", i)
		return req
	}
	for i := range store.MaxFailsPerAccount {
		if rec := e.do(from(i%250, "wrong password")); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: status = %d, want 401", i+1, rec.Code)
		}
	}
	if rec := e.do(from(251, testPassword)); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("after %d guesses from many addresses: status = %d, want 429", store.MaxFailsPerAccount, rec.Code)
	}
	if _, err := e.store.UnlockUser(t.Context(), "operator", "test"); err != nil {
		t.Fatal(err)
	}
	assertAudit(t, e, "user.unlock", "test", store.ResultOK)
	if rec := e.do(from(251, testPassword)); rec.Code != http.StatusSeeOther {
		t.Errorf("after UnlockUser: status = %d, want 303", rec.Code)
	}
}

// TestLoginFailsWhenOldSessionCannotEnd: the session a browser held before
// signing in must end; if it cannot, the sign-in fails instead of leaving it
// alive.
func TestLoginFailsWhenOldSessionCannotEnd(t *testing.T) {
	e := newTestEnv(t)
	old := e.login("viewer")
	// Fault injection: the database refuses to delete sessions.
	if _, err := e.store.Writer().ExecContext(t.Context(),
		`CREATE TRIGGER test_sessions_no_delete BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'no delete'); END`); err != nil {
		t.Fatal(err)
	}
	req := formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {testPassword}})
	req.AddCookie(old)
	rec := e.do(req)
	if rec.Code != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			t.Errorf("a session cookie was set although the old session could not be ended")
		}
	}
}

func TestLogoutMakesCookieWorthless(t *testing.T) {
	e := newTestEnv(t)
	cookie := e.login("operator")
	get := func() int {
		req := formRequest("GET", "/cards", nil)
		req.AddCookie(cookie)
		return e.do(req).Code
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("before sign-out: status = %d, want 200", code)
	}
	req := formRequest("POST", "/logout", nil)
	req.AddCookie(cookie)
	rec := e.do(req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login?signed_out=1" {
		t.Fatalf("logout: status = %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	assertAudit(t, e, "logout", "operator", store.ResultOK)
	// The copied cookie is refused now.
	if code := get(); code != http.StatusSeeOther {
		t.Errorf("replayed cookie after sign-out: status = %d, want 303 to sign-in", code)
	}
}

func TestLogoutCrossSiteRefused(t *testing.T) {
	e := newTestEnv(t)
	cookie := e.login("viewer")
	req := formRequest("POST", "/logout", nil)
	req.AddCookie(cookie)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := e.do(req); rec.Code != http.StatusForbidden {
		t.Fatalf("status = %d, want 403", rec.Code)
	}
	get := formRequest("GET", "/cards", nil)
	get.AddCookie(cookie)
	if rec := e.do(get); rec.Code != http.StatusOK {
		t.Errorf("session after a refused cross-site sign-out: status = %d, want 200 (still signed in)", rec.Code)
	}
}

func TestSessionExpiry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after time.Duration
	}{
		{"idle", store.IdleTimeout + time.Minute},
		{"absolute", store.AbsoluteTimeout + time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			cookie := e.login("viewer")
			e.store.SetClock(func() time.Time { return time.Now().Add(tc.after) })
			req := formRequest("GET", "/audit", nil)
			req.AddCookie(cookie)
			rec := e.do(req)
			if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "expired=1") {
				t.Fatalf("status = %d, Location %q, want 303 to sign-in with expired=1", rec.Code, rec.Header().Get("Location"))
			}
			page := e.do(formRequest("GET", rec.Header().Get("Location"), nil))
			if !strings.Contains(page.Body.String(), "Your session expired") {
				t.Errorf("sign-in page does not say the session expired")
			}
		})
	}
}

func TestSessionStaysAliveWhileUsed(t *testing.T) {
	e := newTestEnv(t)
	cookie := e.login("viewer")
	start := time.Now()
	// A request every 20 minutes keeps the session alive past the idle timeout.
	for i := 1; i <= 3; i++ {
		at := start.Add(time.Duration(i) * 20 * time.Minute)
		e.store.SetClock(func() time.Time { return at })
		req := formRequest("GET", "/cards", nil)
		req.AddCookie(cookie)
		if rec := e.do(req); rec.Code != http.StatusOK {
			t.Fatalf("request %d: status = %d, want 200", i, rec.Code)
		}
	}
}

func TestTamperedCookieIsNoSession(t *testing.T) {
	e := newTestEnv(t)
	cookie := e.login("admin")
	cookie.Value = cookie.Value[:len(cookie.Value)-4] + "AAAA"
	req := formRequest("GET", "/cards", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Errorf("status = %d, want 303 to sign-in", rec.Code)
	}
}

func assertAudit(t *testing.T, e *testEnv, action, actor, result string) {
	t.Helper()
	rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Actor == actor && r.Result == result {
			return
		}
	}
	t.Errorf("no audit row %s by %s with result %s; have %+v", action, actor, result, rows)
}

// safeNext keeps every destination on this site, however it is spelled.
func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/audit", "/audit"}, {"/cards?q=ana&status=ACTIVE", "/cards?q=ana&status=ACTIVE"}, {"/events/12", "/events/12"},
		{"/./audit", "/audit"}, {"/cards/", "/cards"},
		{"//evil.example/", "/"}, {"/\\evil.example", "/"}, {"/./\\evil.example", "/"}, {"/.//evil.example", "/evil.example"},
		{"/%5Cevil.example", "/%5Cevil.example"}, {"https://evil.example", "/"}, {"evil.example", "/"}, {"", "/"},
		{"/a\nb", "/"}, {"/../../etc", "/etc"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("safeNext(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// countRows counts the rows of a table, for a test to see what a request
// left behind.
func (e *testEnv) countRows(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.store.Reader().QueryRowContext(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSignInAuditedWithIt: a sign-in's session and its audit row are one
// transaction: the row names the user, their level and address, and when
// the row cannot be written no session starts (and the try is not counted
// as a failure).
func TestSignInAuditedWithIt(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "the audit row names the user, their level and address", method: "POST", url: "/login",
			form:       url.Values{"username": {"admin"}, "password": {testPassword}},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/"},
			wantAudit: []string{"login ok"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				sessionCookieOf(t, rec)
				wantAuditEntry(t, e.auditEntriesSince(t, e.setupAudit), store.AuditEntry{Actor: "admin", ActorLevel: store.LevelAdmin,
					RemoteAddr: "192.0.2.1", Action: store.AuditLogin, TargetType: "user", TargetID: "admin", Result: store.ResultOK})
			},
		},
		{
			name: "an audit row that cannot be written starts no session", method: "POST", url: "/login",
			form:       url.Values{"username": {"admin"}, "password": {testPassword}},
			before:     func(t *testing.T, e *testEnv) { e.failAudit(t, store.AuditLogin, store.ResultOK) },
			wantStatus: http.StatusInternalServerError, wantContains: []string{"Something went wrong"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				for _, c := range rec.Result().Cookies() {
					if c.Name == sessionCookie && c.Value != "" {
						t.Errorf("a session cookie was set for a sign-in with no audit row")
					}
				}
				if n := e.countRows(t, "sessions"); n != 0 {
					t.Errorf("sessions = %d, want none: the sign-in has no audit row", n)
				}
				if n := e.countRows(t, "auth_failures"); n != 0 {
					t.Errorf("auth failures = %d, want none: the right password is not a failure", n)
				}
			},
		},
	})
}

// TestSignOutAuditedWithIt: a sign-out's end of the session and its audit
// row are one transaction: the row names the user, their level and address,
// and when the row cannot be written the session stays (and says so with a
// 500, not a sign-in page).
func TestSignOutAuditedWithIt(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "the audit row names the user, their level and address", method: "POST", url: "/logout", as: store.LevelOperational,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/login?signed_out=1"},
			wantAudit: []string{"logout ok"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: store.AuditLogout})
				if err != nil {
					t.Fatal(err)
				}
				wantAuditEntry(t, rows, store.AuditEntry{Actor: "operator", ActorLevel: store.LevelOperational,
					RemoteAddr: "192.0.2.1", Action: store.AuditLogout, TargetType: "user", TargetID: "operator", Result: store.ResultOK})
				if n := e.countRows(t, "sessions"); n != 0 {
					t.Errorf("sessions = %d, want none after sign-out", n)
				}
			},
		},
		{
			name: "an audit row that cannot be written leaves the session", method: "POST", url: "/logout", as: store.LevelOperational,
			before:     func(t *testing.T, e *testEnv) { e.failAudit(t, store.AuditLogout, store.ResultOK) },
			wantStatus: http.StatusInternalServerError, wantContains: []string{"Something went wrong"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if n := e.countRows(t, "sessions"); n != 1 {
					t.Errorf("sessions = %d, want the one signed in: the sign-out has no audit row", n)
				}
			},
		},
	})
}
