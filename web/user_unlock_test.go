package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

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
