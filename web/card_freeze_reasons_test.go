package web

import (
	"net/http"
	"testing"

	"cardops/store"
)

// TestFreezeFormsOfferTheirOwnReasons: the Freeze form offers only reasons
// to freeze and the Unfreeze form only reasons to unfreeze, and the server
// refuses a reason of the other way with a field error.
func TestFreezeFormsOfferTheirOwnReasons(t *testing.T) {
	cardURL := "/cards/" + freezeCardID
	runScenarios(t, []scenario{
		{name: "the Freeze form offers no unfreeze reason", method: http.MethodGet, url: cardURL, as: store.LevelAdmin,
			before: freezeCard("ACTIVE"), wantStatus: http.StatusOK,
			wantContains:    []string{"Freeze card", `value="suspected_fraud"`, `value="customer_request"`, `value="other"`},
			wantNotContains: []string{`value="lost_then_found"`, "Lost, then found"}},
		{name: "the Unfreeze form offers no freeze reason", method: http.MethodGet, url: cardURL, as: store.LevelAdmin,
			before: freezeCard("FROZEN"), wantStatus: http.StatusOK,
			wantContains:    []string{"Unfreeze card", `value="lost_then_found"`, `value="customer_request"`, `value="other"`},
			wantNotContains: []string{`value="suspected_fraud"`}},
		{name: "a freeze for lost, then found is refused with a field error", method: http.MethodPost, url: cardURL + "/freeze", as: store.LevelAdmin,
			form: freezeForm("lost_then_found", "", "1"), before: freezeCard("ACTIVE"), wantAudit: []string{"card.freeze refused"},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose a reason from the list."},
			after: wantCard("ACTIVE", store.AuditCardFreeze, "admin:refused")},
		{name: "an unfreeze for suspected fraud is refused with a field error", method: http.MethodPost, url: cardURL + "/unfreeze", as: store.LevelAdmin,
			form: freezeForm("suspected_fraud", "", "1"), before: freezeCard("FROZEN"), wantAudit: []string{"card.unfreeze refused"},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose a reason from the list."},
			after: wantCard("FROZEN", store.AuditCardUnfreeze, "admin:refused")},
	})
}
