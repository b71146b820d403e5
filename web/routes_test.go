package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
)

// TestRouteLevels tries every route in the route table anonymously and at
// every level: anonymous visitors of a guarded page are sent to sign-in (401
// for JSON routes), a level below the route's gets 403, and the rest get
// through the guard.
func TestRouteLevels(t *testing.T) {
	e := newTestEnv(t)
	for _, rt := range e.server.routes() {
		if rt.kind == kindAPI {
			continue // guarded by API keys, not sessions: TestAPIEndpointsByKeyLevel
		}
		method, path, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			// A fallback of every method: tried with one the table does not take.
			method, path = http.MethodDelete, rt.pattern
		}
		path = strings.NewReplacer("{$}", "", "{id}", "00000000-0000-0000-0000-000000000000",
			"{rid}", "00000000-0000-0000-0000-000000000000", "{action}", "authorize",
			"{uid}", "999999", "{sid}", "00").Replace(path)
		for _, as := range []store.Level{0, store.LevelReadOnly, store.LevelOperational, store.LevelAdmin} {
			name := rt.pattern + " as " + map[store.Level]string{0: "anonymous", 1: "viewer", 2: "operator", 3: "admin"}[as]
			t.Run(name, func(t *testing.T) {
				req := formRequest(method, path, nil)
				if as != 0 {
					// A fresh session each time: a route may end it (sign-out).
					req.AddCookie(e.login(userFor(as)))
				}
				do := e.do
				if strings.HasSuffix(path, "/stream") {
					// Event streams run until their client goes away: this
					// one goes once the stream has written its start.
					do = e.doStream
				}
				rec := do(req)
				switch {
				case rt.level == store.LevelPublic || (as != 0 && as >= rt.level):
					if isGuardRefusal(rec) {
						t.Errorf("status = %d (Location %q), want the guard to let it through", rec.Code, rec.Header().Get("Location"))
					}
				case as == 0 && rt.kind.json():
					if rec.Code != http.StatusUnauthorized {
						t.Errorf("status = %d, want 401", rec.Code)
					}
					if !strings.Contains(rec.Body.String(), `"code":"UNAUTHORIZED"`) {
						t.Errorf("body = %s, want a JSON error", rec.Body.String())
					}
				case as == 0:
					if rec.Code != http.StatusSeeOther || !isGuardRedirect(rec.Header().Get("Location")) {
						t.Errorf("status = %d, Location = %q, want 303 to /login", rec.Code, rec.Header().Get("Location"))
					}
				default:
					if rec.Code != http.StatusForbidden {
						t.Errorf("status = %d, want 403", rec.Code)
					}
				}
			})
		}
	}
}

// isGuardRefusal reports whether rec is the guard's answer to a level too
// low or a missing session. A public route's own refusal (the webhook
// receiver's 401 for missing credentials) has its own code and is not one.
func isGuardRefusal(rec *httptest.ResponseRecorder) bool {
	body := rec.Body.String()
	switch rec.Code {
	case http.StatusForbidden:
		return strings.Contains(body, "Not allowed") || strings.Contains(body, `"code":"FORBIDDEN"`)
	case http.StatusUnauthorized:
		return strings.Contains(body, `"code":"UNAUTHORIZED"`) || rec.Header().Get("HX-Redirect") != ""
	}
	return isGuardRedirect(rec.Header().Get("Location"))
}

// isGuardRedirect reports whether location is the guard's sign-in redirect.
func isGuardRedirect(location string) bool {
	return location == "/login" || strings.HasPrefix(location, "/login?next=") || strings.Contains(location, "expired=1")
}

func TestGuardedPages(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "anonymous is sent to sign-in and back", method: "GET", url: "/audit?actor=admin",
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/login?next=%2Faudit%3Factor%3Dadmin"},
		},
		{
			name: "anonymous htmx request is told to navigate", method: "GET", url: "/audit",
			headers:     map[string]string{"HX-Request": "true"},
			wantStatus:  http.StatusUnauthorized,
			wantHeaders: map[string]string{"HX-Redirect": "/login?next=%2Faudit"},
		},
		{
			name: "an action of a page whose session ended goes back to the page after sign-in", method: "POST", url: "/cards/" + freezeCardID + "/freeze",
			headers:     map[string]string{"HX-Request": "true", "HX-Current-URL": "http://console.example/cards/" + freezeCardID + "?mv=1"},
			wantStatus:  http.StatusUnauthorized,
			wantHeaders: map[string]string{"HX-Redirect": "/login?next=" + url.QueryEscape("/cards/"+freezeCardID+"?mv=1")},
		},
		{
			name: "a page's live fragment whose session ended goes back to the page, not the fragment", method: "GET", url: "/cards/" + freezeCardID + "/summary",
			headers:     map[string]string{"HX-Request": "true", "HX-Current-URL": "http://console.example/cards/" + freezeCardID},
			wantStatus:  http.StatusUnauthorized,
			wantHeaders: map[string]string{"HX-Redirect": "/login?next=" + url.QueryEscape("/cards/"+freezeCardID)},
		},
		{
			name: "viewer gets a readable 403 on the audit log", method: "GET", url: "/audit", as: store.LevelReadOnly,
			wantStatus:   http.StatusForbidden,
			wantContains: []string{"Not allowed", "needs level 3 (Admin)", "level 1 (Read-Only)"},
		},
		{
			name: "admin reads the audit log with sign-ins", method: "GET", url: "/audit", as: store.LevelAdmin,
			wantStatus:   http.StatusOK,
			wantContains: []string{"Audit log", "login", "admin"},
		},
		{
			name: "home sends a signed-in person to the card search", method: "GET", url: "/", as: store.LevelReadOnly,
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/cards"},
		},
		{
			name: "card search shows name, level and only the permitted navigation", method: "GET", url: "/cards", as: store.LevelReadOnly,
			wantStatus:      http.StatusOK,
			wantContains:    []string{"viewer", "L1 · Read-Only", "Sign out"},
			wantNotContains: []string{`href="/audit"`},
		},
		{
			name: "signed-in pages are not cached", method: "GET", url: "/cards", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{"<title>Cards"},
			wantHeaders: map[string]string{"Cache-Control": "no-store"},
		},
		{
			name: "admin sees the admin navigation", method: "GET", url: "/cards", as: store.LevelAdmin,
			wantStatus:   http.StatusOK,
			wantContains: []string{`href="/audit"`, "L3 · Admin"},
		},
		{
			name: "unknown page is a readable 404", method: "GET", url: "/no-such-page", as: store.LevelReadOnly,
			wantStatus:   http.StatusNotFound,
			wantContains: []string{"Not found"},
		},
		{
			name: "security headers on every page", method: "GET", url: "/login",
			wantStatus: http.StatusOK, wantContains: []string{"<title>Sign in"},
			wantHeaders: map[string]string{
				"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
				"Content-Security-Policy": contentSecurityPolicy,
			},
		},
		{
			name: "healthz is public", method: "GET", url: "/healthz",
			wantStatus: http.StatusOK, wantContains: []string{`"status":"ok"`},
		},
		{
			name: "readyz checks the database", method: "GET", url: "/readyz",
			wantStatus: http.StatusOK, wantContains: []string{`"status":"ready"`},
		},
		{
			name: "static files are served without sign-in", method: "GET", url: "/static/app.css",
			wantStatus: http.StatusOK, wantContains: []string{".field-error"},
		},
	})
}

// TestJSONRoutesAnswerJSON: a wrong method on the webhook receiver, the
// health checks or a provider API path, and an unknown path under /api, are
// answered in JSON ({"code","message","trace_id"}; 405 with Allow as the
// route table says), never with the console's HTML 404 page.
func TestJSONRoutesAnswerJSON(t *testing.T) {
	jsonError := func(code string) func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
			var b struct{ Code, Message, TraceID string }
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&struct {
				Code    *string `json:"code"`
				Message *string `json:"message"`
				TraceID *string `json:"trace_id"`
			}{&b.Code, &b.Message, &b.TraceID}); err != nil {
				t.Fatalf("body is not the JSON error: %v", err)
			}
			if b.Code != code || b.Message == "" || b.TraceID == "" || b.TraceID != rec.Header().Get("X-Trace-Id") {
				t.Errorf("body = %+v (X-Trace-Id %q), want code %s, a message and the trace id", b, rec.Header().Get("X-Trace-Id"), code)
			}
		}
	}
	const (
		notAllowed = "METHOD_NOT_ALLOWED"
		notFound   = "NOT_FOUND"
	)
	type tc struct {
		method, url, allow string
		status             int
		code               string
	}
	var scenarios []scenario
	for _, c := range []tc{
		{"GET", "/webhooks", "POST", http.StatusMethodNotAllowed, notAllowed},
		{"PUT", "/webhooks", "POST", http.StatusMethodNotAllowed, notAllowed},
		{"HEAD", "/webhooks", "POST", http.StatusMethodNotAllowed, notAllowed},
		{"POST", "/healthz", "GET, HEAD", http.StatusMethodNotAllowed, notAllowed},
		{"DELETE", "/readyz", "GET, HEAD", http.StatusMethodNotAllowed, notAllowed},
		{"DELETE", "/api/cards/virtual-cards/list", "GET, HEAD", http.StatusMethodNotAllowed, notAllowed},
		{"POST", "/api/cards/virtual-cards/" + freezeCardID, "GET, HEAD", http.StatusMethodNotAllowed, notAllowed},
		{"GET", "/api/cards/virtual-cards/" + freezeCardID + "/reissue", "PUT", http.StatusMethodNotAllowed, notAllowed},
		{"GET", "/api/cards/webhook/simulate/authorize", "POST", http.StatusMethodNotAllowed, notAllowed},
		{"POST", "/api/openapi.json", "GET, HEAD", http.StatusMethodNotAllowed, notAllowed},
		{"GET", "/api/no/such/path", "", http.StatusNotFound, notFound},
		{"POST", "/api/", "", http.StatusNotFound, notFound},
		{"GET", "/api", "", http.StatusNotFound, notFound},
	} {
		sc := scenario{
			name: c.method + " " + c.url, method: c.method, url: c.url,
			wantStatus:   c.status,
			wantHeaders:  map[string]string{"Allow": c.allow, "Content-Type": "application/json"},
			wantContains: []string{`"code":"` + c.code + `"`}, wantNotContains: []string{"<html", "<!doctype"},
			after: jsonError(c.code),
		}
		scenarios = append(scenarios, sc)
	}
	runScenarios(t, scenarios)
}
