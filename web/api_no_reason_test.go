package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cardops/store"
)

// TestAPIChangesRecordNoReason: the provider's freeze and reissue calls
// carry no reason, so the console records none: the card's status line,
// its timeline, the audit row and the reissues list say the change came
// through the API with no reason given, never a reason nobody chose.
func TestAPIChangesRecordNoReason(t *testing.T) {
	auditDetail := func(t *testing.T, e *testEnv, action string) string {
		t.Helper()
		rows, err := e.store.AuditLog(context.Background(), store.AuditFilter{Action: action})
		if err != nil || len(rows) == 0 {
			t.Fatalf("audit %s: %v (%d rows)", action, err, len(rows))
		}
		return rows[0].Detail
	}
	scenarios := []scenario{
		{name: "freeze through the API", method: http.MethodPatch, url: "/api/cards/virtual-cards/" + apiCardID + "/frozen",
			body: `{"freeze":true}`, headers: map[string]string{"Content-Type": "application/json"},
			wantStatus: http.StatusOK, wantContains: []string{"{}"}, wantAudit: []string{"card.freeze ok"},
			after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				admin := e.login("admin")
				wantBody(t, e.get(admin, "/cards/"+apiCardID), http.StatusOK, "apikey:backend-l3: through the API; no reason given")
				wantBody(t, e.get(admin, "/cards/"+apiCardID+"/timeline"), http.StatusOK,
					"by apikey:backend-l3: through the API; no reason given")
				for _, path := range []string{"/cards/" + apiCardID, "/cards/" + apiCardID + "/timeline"} {
					if body := e.get(admin, path).Body.String(); strings.Contains(body, "backend-l3: Customer request") {
						t.Errorf("%s names a reason nobody gave: Customer request", path)
					}
				}
				if d := auditDetail(t, e, "card.freeze"); d != "ACTIVE → FROZEN; through the API; no reason given" {
					t.Errorf("audit detail = %q, want the change with no reason given", d)
				}
			}},
		{name: "reissue through the API", method: http.MethodPut, url: "/api/cards/virtual-cards/" + apiCardID + "/reissue",
			wantStatus: http.StatusOK, wantContains: []string{`"id":"` + apiCardID + `"`}, wantAudit: []string{"card.reissue ok"},
			after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				admin := e.login("admin")
				wantBody(t, e.get(admin, "/reissues"), http.StatusOK, "No reason given — one step, through the API")
				if body := e.get(admin, "/reissues").Body.String(); strings.Contains(body, "Other — one step") {
					t.Error("/reissues lists the API's reissue with the reason Other, which nobody gave")
				}
				wantBody(t, e.get(admin, "/cards/"+apiCardID+"/timeline?kind=reissue"), http.StatusOK, "DONE · No reason given (by apikey:backend-l3)")
				if d := auditDetail(t, e, "card.reissue"); !strings.Contains(d, "no reason given") {
					t.Errorf("audit detail = %q, want it to say no reason was given", d)
				}
			}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newAPIEnv(t)
			if sc.headers == nil {
				sc.headers = map[string]string{}
			}
			sc.headers["x-api-key"] = e.keys[store.LevelAdmin]
			sc.run(t, e.testEnv)
		})
	}
}
