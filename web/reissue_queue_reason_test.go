package web

import (
	"net/http"
	"net/url"
	"testing"

	"cardops/store"
)

// TestReissueQueueShowsTheRejectionReason: the four-eyes queue's latest
// decisions show why the checker rejected a request, beside their name.
func TestReissueQueueShowsTheRejectionReason(t *testing.T) {
	e := newTestEnv(t)
	e.server.fourEyes = true
	addAdmin(t, e, "checker")
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, e.login("admin"), c.ID)
	if rec := e.post(e.login("checker"), "/reissues/"+rid+"/reject", url.Values{"reason": {"cardholder found the card"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("reject: status = %d, want %d", rec.Code, http.StatusSeeOther)
	}
	scenario{name: "latest decisions show the checker's reason", method: http.MethodGet, url: "/reissues", as: store.LevelAdmin,
		wantStatus: http.StatusOK,
		wantContains: []string{"Latest decisions", "Rejected",
			`<td data-testid="reissue-decided-by">checker <span class="subtle">(cardholder found the card)</span></td>`},
	}.run(t, e)
}
