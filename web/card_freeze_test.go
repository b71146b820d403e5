package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

const freezeCardID = "f0000000-0000-4000-8000-000000000001"

// freezeCard adds the scenarios' card with the given status.
func freezeCard(status string) func(t *testing.T, e *testEnv) {
	return func(t *testing.T, e *testEnv) {
		storetest.AddCard(t, e.store, storetest.Card{ID: freezeCardID, Holder: "Fay Frost", Status: status, Last4: "4321"})
	}
}

// wantCard checks the card's status and the audit rows of action.
func wantCard(status, action string, results ...string) func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
		t.Helper()
		c, err := e.store.CardByID(context.Background(), freezeCardID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != status {
			t.Errorf("card status = %s, want %s", c.Status, status)
		}
		rows, err := e.store.AuditLog(context.Background(), store.AuditFilter{Action: action, TargetType: "card", TargetID: freezeCardID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range rows {
			got = append(got, a.Actor+":"+a.Result)
		}
		if strings.Join(got, ",") != strings.Join(results, ",") {
			t.Errorf("audit %s = %v, want %v", action, got, results)
		}
	}
}

func freezeForm(reason, note, version string) url.Values {
	return url.Values{"reason": {reason}, "note": {note}, "version": {version}}
}

func TestCardFreeze(t *testing.T) {
	const freezeURL, unfreezeURL = "/cards/" + freezeCardID + "/freeze", "/cards/" + freezeCardID + "/unfreeze"
	runScenarios(t, []scenario{
		{
			name: "admin freezes an active card", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze ok"},
			form:      freezeForm("suspected_fraud", "two odd purchases", "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards/" + freezeCardID},
			after: wantCard("FROZEN", store.AuditCardFreeze, "admin:ok"),
		},
		{
			name: "admin unfreezes a frozen card", method: "POST", url: unfreezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.unfreeze ok"},
			form:      freezeForm("lost_then_found", "", "1"), before: freezeCard("FROZEN"),
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards/" + freezeCardID},
			after: wantCard("ACTIVE", store.AuditCardUnfreeze, "admin:ok"),
		},
		{
			name: "operator cannot freeze", method: "POST", url: freezeURL, as: store.LevelOperational,
			wantAudit: []string{"access.denied refused"},
			form:      freezeForm("suspected_fraud", "", "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed", "needs level 3"},
			after: wantCard("ACTIVE", store.AuditCardFreeze),
		},
		{
			name: "a reason is required", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("", "", "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose a reason from the list.", "Freeze card"},
			after: wantCard("ACTIVE", store.AuditCardFreeze, "admin:refused"),
		},
		{
			name: "an unknown reason is refused", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("because", "", "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose a reason from the list."},
			after: wantCard("ACTIVE", store.AuditCardFreeze, "admin:refused"),
		},
		{
			name: "other needs a note, and the typed reason is kept", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("other", " ", "1"), before: freezeCard("ACTIVE"),
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{"Write a note: it is required", `<option value="other" selected>`},
			after:        wantCard("ACTIVE", store.AuditCardFreeze, "admin:refused"),
		},
		{
			name: "a note over the limit is refused", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("other", strings.Repeat("x", store.FreezeNoteMax+1), "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"The note must be at most 500 characters."},
			after: wantCard("ACTIVE", store.AuditCardFreeze, "admin:refused"),
		},
		{
			name: "a stale form is refused", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("customer_request", "", "7"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusConflict, wantContains: []string{"The card changed since this page was drawn"},
			after: wantCard("ACTIVE", store.AuditCardFreeze, "admin:refused"),
		},
		{
			name: "a second freeze says who froze it first", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("customer_request", "", "1"),
			before: func(t *testing.T, e *testEnv) {
				freezeCard("ACTIVE")(t, e)
				if _, err := e.store.SetCardFrozen(context.Background(), store.CardFreeze{CardID: freezeCardID, Freeze: true,
					SeenVersion: 1, Reason: store.FreezeSuspectedFraud, Actor: store.Actor{Username: "ada", Level: store.LevelAdmin}}); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:   http.StatusConflict,
			wantContains: []string{"This card is FROZEN already: ada did it at", "Suspected fraud", "Unfreeze card"},
			after:        wantCard("FROZEN", store.AuditCardFreeze, "admin:refused", "ada:ok"),
		},
		{
			name: "an active card cannot be unfrozen", method: "POST", url: unfreezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.unfreeze refused"},
			form:      freezeForm("customer_request", "", "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusConflict, wantContains: []string{"This card is ACTIVE already."},
			after: wantCard("ACTIVE", store.AuditCardUnfreeze, "admin:refused"),
		},
		{
			name: "a deleted card cannot be frozen", method: "POST", url: freezeURL, as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("customer_request", "", "1"), before: freezeCard("DELETED"),
			wantStatus:      http.StatusConflict,
			wantContains:    []string{"Only an ACTIVE card can be frozen; this card is DELETED."},
			wantNotContains: []string{"data-testid=\"freeze-form\""},
			after:           wantCard("DELETED", store.AuditCardFreeze, "admin:refused"),
		},
		{
			name: "an unknown card is a readable 404", method: "POST", url: "/cards/00000000-0000-0000-0000-000000000000/freeze", as: store.LevelAdmin,
			wantAudit: []string{"card.freeze refused"},
			form:      freezeForm("customer_request", "", "1"), before: freezeCard("ACTIVE"),
			wantStatus: http.StatusNotFound, wantContains: []string{"Card not found", "Nothing was changed."},
			after: wantCard("ACTIVE", store.AuditCardFreeze),
		},
		{
			name: "the card page offers freeze to an admin", method: "GET", url: "/cards/" + freezeCardID, as: store.LevelAdmin,
			before: freezeCard("ACTIVE"), wantStatus: http.StatusOK,
			wantContains: []string{`action="/cards/` + freezeCardID + `/freeze"`, "Freeze card", `name="version" value="1"`},
		},
		{
			name: "the card search shows a frozen card's status and since when", method: "GET", url: "/cards?q=4321", as: store.LevelReadOnly,
			before: func(t *testing.T, e *testEnv) {
				freezeCard("ACTIVE")(t, e)
				if _, err := e.store.SetCardFrozen(context.Background(), store.CardFreeze{CardID: freezeCardID, Freeze: true,
					SeenVersion: 1, Reason: store.FreezeSuspectedFraud, Actor: store.Actor{Username: "ada", Level: store.LevelAdmin}}); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:   http.StatusOK,
			wantContains: []string{"Fay Frost", "FROZEN", `data-testid="status-since">since `},
		},
		{
			name: "a card never frozen shows no since", method: "GET", url: "/cards?q=4321", as: store.LevelReadOnly,
			before: freezeCard("ACTIVE"), wantStatus: http.StatusOK,
			wantContains: []string{"Fay Frost", "ACTIVE"}, wantNotContains: []string{"status-since"},
		},
		{
			name: "the card page shows a viewer the status and since when, no form", method: "GET", url: "/cards/" + freezeCardID, as: store.LevelReadOnly,
			before: func(t *testing.T, e *testEnv) {
				freezeCard("ACTIVE")(t, e)
				if _, err := e.store.SetCardFrozen(context.Background(), store.CardFreeze{CardID: freezeCardID, Freeze: true,
					SeenVersion: 1, Reason: store.FreezeCustomerRequest, Note: "travelling", Actor: store.Actor{Username: "ada", Level: store.LevelAdmin}}); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:      http.StatusOK,
			wantContains:    []string{"FROZEN", "since ", "ada: Customer request — travelling"},
			wantNotContains: []string{"freeze-form", "Unfreeze card"},
		},
	})
}
