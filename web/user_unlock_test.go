package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"cardops/store"
)

// failSignIns makes n wrong sign-ins for operator, from n addresses.
func failSignIns(n int) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		t.Helper()
		for i := range n {
			req := formRequest(http.MethodPost, "/login", url.Values{"username": {"operator"}, "password": {"wrong password"}})
			req.RemoteAddr = fmt.Sprintf("198.51.100.%d:1234", i+1) // not the address the scenario signs in from
			if rec := e.do(req); rec.Code != http.StatusUnauthorized {
				t.Fatalf("wrong sign-in %d: status = %d, want 401", i, rec.Code)
			}
		}
	}
}

// wantFailures checks how many failed sign-ins are counted against operator.
func wantFailures(n int) func(*testing.T, *testEnv, *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
		t.Helper()
		got, err := e.store.SignInFailures(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if got["operator"] != n {
			t.Errorf("failed sign-ins of operator = %d, want %d", got["operator"], n)
		}
	}
}

func TestUserUnlock(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "the users list counts failed sign-ins and offers the unlock", method: "GET", url: "/settings/users", as: store.LevelAdmin,
			before: failSignIns(3), wantStatus: http.StatusOK,
			wantContains: []string{`title="in the last hour">3</td>`, `action="/settings/users/` + operatorID + `/unlock"`},
		},
		{
			name: "an admin unlocks with a reason", method: "POST", url: "/settings/users/" + operatorID + "/unlock", as: store.LevelAdmin,
			form: reason("locked out by a typo"), before: failSignIns(3),
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/settings/users?done=unlock&user=operator"},
			wantAudit:   []string{store.AuditUserUnlock + " ok"},
			after:       wantFailures(0),
		},
		{
			name: "an unlock needs a reason", method: "POST", url: "/settings/users/" + operatorID + "/unlock", as: store.LevelAdmin,
			form: reason(" "), before: failSignIns(2),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`<span class="field-error" role="alert">`},
			wantAudit: []string{store.AuditUserUnlock + " refused"},
			after:     wantFailures(2),
		},
		{
			name: "an operator may not unlock", method: "POST", url: "/settings/users/" + operatorID + "/unlock", as: store.LevelOperational,
			form: reason("me"), before: failSignIns(2),
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed"},
			wantAudit: []string{store.AuditAccessDenied + " refused"},
			after:     wantFailures(2),
		},
		{
			name: "an unknown user is a readable 404", method: "POST", url: "/settings/users/424242/unlock", as: store.LevelAdmin,
			form: reason("who"), wantStatus: http.StatusNotFound, wantContains: []string{"There is no user with the id"},
			wantAudit: []string{store.AuditUserUnlock + " refused"},
		},
	})
}

// pausedAt is when failFrom's sign-ins fail in TestUserListShowsPausedSignIns.
var pausedAt = time.Date(2026, 12, 2, 18, 27, 0, 0, time.UTC)

// failFrom makes n wrong sign-ins for operator from address at pausedAt,
// then sets the store's clock to pausedAt plus later.
func failFrom(address string, n int, later time.Duration) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		t.Helper()
		e.store.SetClock(func() time.Time { return pausedAt })
		for i := range n {
			req := formRequest(http.MethodPost, "/login", url.Values{"username": {"operator"}, "password": {"wrong password"}})
			req.RemoteAddr = address + ":1234"
			if rec := e.do(req); rec.Code != http.StatusUnauthorized {
				t.Fatalf("wrong sign-in %d: status = %d, want 401", i, rec.Code)
			}
		}
		e.store.SetClock(func() time.Time { return pausedAt.Add(later) })
	}
}

// TestUserListShowsPausedSignIns: an account whose sign-ins are refused from
// an address (too many failures from there) says so on the users page, with
// until when; the page, and so the addresses, stay an admin's.
func TestUserListShowsPausedSignIns(t *testing.T) {
	paused := "sign-ins paused from 1 address until 2026-12-02 18:42:00 UTC"
	runScenarios(t, []scenario{
		{
			name: "an admin sees the pause, until when and from where", method: "GET", url: "/settings/users", as: store.LevelAdmin,
			before: failFrom("203.0.113.7", store.MaxFailsPerAccountAddress, time.Minute), wantStatus: http.StatusOK,
			wantContains:    []string{`data-testid="paused-operator"`, paused, "203.0.113.7", `title="in the last hour">5</td>`},
			wantNotContains: []string{`data-testid="locked-operator"`, `data-testid="paused-viewer"`},
		},
		{
			name: "failures below the limit pause nothing", method: "GET", url: "/settings/users", as: store.LevelAdmin,
			before: failFrom("203.0.113.7", store.MaxFailsPerAccountAddress-1, time.Minute), wantStatus: http.StatusOK,
			wantContains:    []string{`title="in the last hour">4</td>`},
			wantNotContains: []string{"sign-ins paused", "203.0.113.7"},
		},
		{
			name: "a pause ends with its window", method: "GET", url: "/settings/users", as: store.LevelAdmin,
			before: failFrom("203.0.113.7", store.MaxFailsPerAccountAddress, store.SignInWindow), wantStatus: http.StatusOK,
			wantContains:    []string{`title="in the last hour">5</td>`},
			wantNotContains: []string{"sign-ins paused", "203.0.113.7"},
		},
		{
			name: "an operator sees neither the pause nor the address", method: "GET", url: "/settings/users", as: store.LevelOperational,
			before: failFrom("203.0.113.7", store.MaxFailsPerAccountAddress, time.Minute), wantStatus: http.StatusForbidden,
			wantContains: []string{"Not allowed"}, wantNotContains: []string{"sign-ins paused", "203.0.113.7"},
		},
		{
			name: "a viewer sees neither the pause nor the address", method: "GET", url: "/settings/users", as: store.LevelReadOnly,
			before: failFrom("203.0.113.7", store.MaxFailsPerAccountAddress, time.Minute), wantStatus: http.StatusForbidden,
			wantContains: []string{"Not allowed"}, wantNotContains: []string{"sign-ins paused", "203.0.113.7"},
		},
	})
}
