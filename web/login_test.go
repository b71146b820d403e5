package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

func TestLogin(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "good credentials start a session and go to next", method: "POST", url: "/login",
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
			form:       url.Values{"username": {"ADMIN"}, "password": {testPassword}},
			wantStatus: http.StatusSeeOther,
		},
		{
			name: "wrong password is refused and audited", method: "POST", url: "/login",
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
			form:        url.Values{"username": {"admin"}, "password": {testPassword}, "next": {"//evil.example/"}},
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/"},
		},
		{
			name: "a cross-site form post is refused", method: "POST", url: "/login",
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
	for i := range maxFailsPerAccount {
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
	// After the window the account may try again.
	e.server.now = func() time.Time { return time.Now().Add(throttleWindow + time.Second) }
	if rec := e.do(formRequest("POST", "/login", url.Values{"username": {"admin"}, "password": {testPassword}})); rec.Code != http.StatusSeeOther {
		t.Errorf("after the window: status = %d, want 303", rec.Code)
	}
}

func TestLoginThrottlePerAddress(t *testing.T) {
	e := newTestEnv(t)
	for i := range maxFailsPerAddress {
		req := formRequest("POST", "/login", url.Values{"username": {"user" + string(rune('a'+i))}, "password": {"nope nope nope"}})
		if rec := e.do(req); rec.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: status = %d, want 401", i+1, rec.Code)
		}
	}
	if rec := e.do(formRequest("POST", "/login", url.Values{"username": {"viewer"}, "password": {testPassword}})); rec.Code != http.StatusTooManyRequests {
		t.Errorf("status = %d, want 429 for a spraying address", rec.Code)
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
