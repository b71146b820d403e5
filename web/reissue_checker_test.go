package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
)

// TestReissueFourEyesSockAccountHTTP: the one-admin four-eyes reissue the
// security review found. In four-eyes mode an admin prepares a reissue,
// creates a level-3 account with a password they set, signs in as it
// (choosing its own password, as the first sign-in makes them) and
// confirms. The request page offers that account no form and says why; a
// confirmation sent anyway is refused in words, audited, and the card is
// not reissued; an admin the maker does not control still confirms.
func TestReissueFourEyesSockAccountHTTP(t *testing.T) {
	e := newTestEnv(t)
	e.server.fourEyes = true
	addAdmin(t, e, "checker")
	maker := e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, maker, c.ID)

	rec := e.post(maker, "/settings/users", url.Values{"username": {"sock"}, "level": {"3"}, "password": {testPassword}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create sock: status = %d, want %d; body %.400s", rec.Code, http.StatusSeeOther, rec.Body.String())
	}
	sock := e.login("sock")
	const own = "a password of its own"
	rec = e.post(sock, "/account/password", url.Values{"current": {testPassword}, "new": {own}, "confirm": {own}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("sock changes its password: status = %d, want %d; body %.400s", rec.Code, http.StatusSeeOther, rec.Body.String())
	}

	rec = e.get(sock, "/reissues/"+rid)
	wantBody(t, rec, http.StatusOK, `data-testid="not-independent"`, "admin, who prepared this reissue, set your account&#39;s password")
	if strings.Contains(rec.Body.String(), `name="last4"`) {
		t.Error("the maker's own account is offered the confirmation form")
	}
	before := e.lastAuditID(t)
	rec = e.post(sock, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {own}})
	wantBody(t, rec, http.StatusForbidden, "Another admin must confirm", "could have signed in as you", "Nothing was changed.")
	if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 {
		t.Fatal("the maker's own account reissued the card")
	}
	if got := strings.Join(e.auditSince(t, before), " | "); !strings.Contains(got, "reissue.confirm") || !strings.Contains(got, "refused") {
		t.Errorf("audit since the confirmation = %q, want a refused reissue.confirm", got)
	}
	assertAudit(t, e, store.AuditReissueConfirm, "sock", store.ResultRefused)

	rec = e.post(e.login("checker"), "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("checker confirms: status = %d, want %d; body %.400s", rec.Code, http.StatusSeeOther, rec.Body.String())
	}
}
