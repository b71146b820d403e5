package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
)

// TestReissueExpiredCardAsAdmin: step 1 says what a reissue does to the
// card's status, and a reissue of an EXPIRED card (expiry 08/2025) makes it
// ACTIVE with its new number: the header no longer reads EXPIRED, the
// timeline tells the renewal, and an authorization on it is no longer
// declined. A FROZEN card is told it stays FROZEN.
func TestReissueExpiredCardAsAdmin(t *testing.T) {
	e := newTestEnv(t)
	expired := addTestCard(t, e, "EXPIRED")
	frozen := addTestCard(t, e, "FROZEN")
	admin := e.login("admin")
	rid := startReissue(t, e, admin, expired.ID)
	for _, sc := range []scenario{
		{name: "step 1 of an expired card says it becomes active", method: http.MethodGet, url: "/cards/" + expired.ID + "/reissue", as: 3,
			wantStatus:      http.StatusOK,
			wantContains:    []string{`<li data-testid="reissue-status">The card is EXPIRED: it becomes ACTIVE with its new number.</li>`},
			wantNotContains: []string{"limits and status."}},
		{name: "step 1 of a frozen card says it stays frozen", method: http.MethodGet, url: "/cards/" + frozen.ID + "/reissue", as: 3,
			wantStatus:   http.StatusOK,
			wantContains: []string{`Its status stays FROZEN: a reissue does not change it.`}},
		{name: "confirming renews the expired card", method: http.MethodPost, url: "/reissues/" + rid + "/confirm", as: 3,
			form:       url.Values{"last4": {expired.Last4}, "password": {testPassword}},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/reissues/" + rid},
			wantAudit: []string{"card.reissue ok"},
			after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				c := cardNow(t, e, expired.ID)
				if c.Status != "ACTIVE" || c.Last4 == expired.Last4 {
					t.Fatalf("card after = %s •••• %s, want ACTIVE with a new number", c.Status, c.Last4)
				}
				wantBody(t, e.get(admin, "/cards/"+expired.ID), http.StatusOK,
					`•••• `+c.Last4, `<span class="badge ok">ACTIVE</span>`)
				wantBody(t, e.get(admin, "/cards/"+expired.ID+"/timeline?kind=status"), http.StatusOK,
					"Renewed (EXPIRED → ACTIVE) by admin: Reissued with a new number — reissued: new number •••• "+c.Last4)
				rec := e.post(admin, "/cards/"+expired.ID+"/simulate/authorize", url.Values{"amount": {"10"}})
				ms, _, err := e.store.CardMovements(context.Background(), expired.ID, store.MovementCursor{}, 1)
				if rec.Code != http.StatusSeeOther || err != nil || len(ms) != 1 || ms[0].Operation != "AUTHORIZATION" || ms[0].Status != "PENDING" {
					t.Errorf("authorize after the reissue: status %d, newest movement %+v (%v); want a PENDING authorization", rec.Code, ms, err)
				}
			}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, e) })
	}
}

// TestAPIReissueExpiredCard: the API's one-step reissue of an EXPIRED card
// answers it ACTIVE with its new last4, audited with the status change.
func TestAPIReissueExpiredCard(t *testing.T) {
	e := newAPIEnv(t)
	expired := addTestCard(t, e.testEnv, "EXPIRED")
	sc := scenario{name: "api reissue renews", method: http.MethodPut, url: "/api/cards/virtual-cards/" + expired.ID + "/reissue",
		headers: map[string]string{"x-api-key": e.keys[store.LevelAdmin]}, wantStatus: http.StatusOK,
		wantContains: []string{`"status":"ACTIVE"`}, wantNotContains: []string{`"last4":"` + expired.Last4 + `"`, "EXPIRED"},
		wantAudit: []string{"card.reissue ok"},
		after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
			audit, err := e.store.CardAudit(context.Background(), expired.ID, 1)
			if err != nil || len(audit) != 1 || !strings.Contains(audit[0].Detail, "status EXPIRED → ACTIVE") {
				t.Errorf("audit = %+v, %v; want the reissue with the status change", audit, err)
			}
			hist, err := e.store.CardStatusHistory(context.Background(), expired.ID)
			if err != nil || len(hist) != 1 || hist[0].From != "EXPIRED" || hist[0].To != "ACTIVE" || hist[0].Actor != "apikey:backend-l3" {
				t.Errorf("status history = %+v, %v; want EXPIRED → ACTIVE by the key", hist, err)
			}
		}}
	sc.run(t, e.testEnv)
}
