package web

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"testing"

	"cardops/store"
)

// TestSecureCookieAndClientAddress signs in through the real router from
// different peers: the session cookie is Secure and HSTS is sent only over
// TLS or when a trusted proxy says https, and the audited address is the
// forwarded one only when the peer is a trusted proxy.
func TestSecureCookieAndClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name       string
		remote     string
		tls        bool
		headers    map[string]string
		wantSecure bool
		wantAddr   string
	}{
		{"plain http", "192.0.2.1:1234", false, nil, false, "192.0.2.1"},
		{"direct TLS", "192.0.2.1:1234", true, nil, true, "192.0.2.1"},
		{"untrusted peer claims https and an address", "192.0.2.1:1234", false,
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, false, "192.0.2.1"},
		{"trusted proxy, https", "10.1.2.3:5555", false,
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, true, "203.0.113.9"},
		{"trusted proxy, http", "10.1.2.3:5555", false,
			map[string]string{"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"}, false, "203.0.113.9"},
		{"trusted IPv6 proxy", "[fd00::1]:5555", false,
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "2001:db8::7"}, true, "2001:db8::7"},
		{"client-written entries left of the proxy's are ignored", "10.1.2.3:5555", false,
			map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1, 203.0.113.9, 10.9.9.9"}, true, "203.0.113.9"},
		{"garbage from the client stops at the last trusted hop", "10.1.2.3:5555", false,
			map[string]string{"X-Forwarded-For": "not-an-address"}, false, "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, func(c *Config) { c.TrustedProxies = proxies })
			req := formRequest(http.MethodPost, "/login", url.Values{"username": {"viewer"}, "password": {testPassword}})
			req.RemoteAddr = tc.remote
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			rec := e.do(req)
			if rec.Code != http.StatusSeeOther {
				t.Fatalf("status = %d, want %d; body %.300s", rec.Code, http.StatusSeeOther, rec.Body.String())
			}
			var cookie *http.Cookie
			for _, c := range rec.Result().Cookies() {
				if c.Name == sessionCookie {
					cookie = c
				}
			}
			if cookie == nil {
				t.Fatal("no session cookie")
			}
			if cookie.Secure != tc.wantSecure {
				t.Errorf("cookie Secure = %v, want %v", cookie.Secure, tc.wantSecure)
			}
			if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tc.wantSecure {
				t.Errorf("HSTS sent = %v, want %v", got, tc.wantSecure)
			}
			log, err := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "login"})
			if err != nil || len(log) != 1 {
				t.Fatalf("audit = %+v, %v; want one login row", log, err)
			}
			if log[0].RemoteAddr != tc.wantAddr {
				t.Errorf("audited address = %q, want %q", log[0].RemoteAddr, tc.wantAddr)
			}
		})
	}
}

// TestSignInThrottleByClientAddress: behind a trusted proxy the
// per-address throttle counts each forwarded client on its own, so one
// client's failures do not lock out the others; without one, a client
// cannot dodge it by sending a new X-Forwarded-For with every try.
func TestSignInThrottleByClientAddress(t *testing.T) {
	try := func(e *testEnv, peer, forwarded, user, password string) int {
		req := formRequest(http.MethodPost, "/login", url.Values{"username": {user}, "password": {password}})
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", forwarded)
		return e.do(req).Code
	}
	fail := func(e *testEnv, peer string, forwarded func(i int) string) bool {
		for i := range 30 {
			if try(e, peer, forwarded(i), fmt.Sprintf("nobody%d", i), "wrong password") == http.StatusTooManyRequests {
				return true
			}
		}
		return false
	}
	t.Run("behind a trusted proxy", func(t *testing.T) {
		e := newTestEnv(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
		if !fail(e, "10.1.2.3:5555", func(int) string { return "203.0.113.1" }) {
			t.Fatal("30 failed sign-ins from one client were never throttled")
		}
		if code := try(e, "10.1.2.3:5555", "203.0.113.2", "viewer", testPassword); code != http.StatusSeeOther {
			t.Errorf("another client behind the same proxy: status = %d, want %d", code, http.StatusSeeOther)
		}
	})
	t.Run("no trusted proxy", func(t *testing.T) {
		e := newTestEnv(t)
		if !fail(e, "192.0.2.1:1234", func(i int) string { return fmt.Sprintf("203.0.113.%d", i) }) {
			t.Error("failed sign-ins with a new X-Forwarded-For each were never throttled")
		}
	})
}
