package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"cardops/store"
)

// TestAPILogCardCells: a call about a card the console holds links to it by
// holder and last 4; one about an id it does not hold (a 404 call) shows
// the id without a link to a "not found" page, in the list and on the
// call's page. An empty log says so in a row the live tail can push down.
func TestAPILogCardCells(t *testing.T) {
	e := newAPIEnv(t)
	operator := e.login("operator")
	empty := e.get(operator, "/api-log")
	wantBody(t, empty, 200, `<tr class="empty-row"><td colspan="8">No API calls match.</td></tr>`)

	const unknown = "00000000-0000-4000-8000-00000000dead"
	if rec := e.call("GET", "/api/cards/virtual-cards/"+unknown, "", 1); rec.Code != 412 && rec.Code != 404 {
		t.Fatalf("unknown card: %d %s", rec.Code, rec.Body)
	}
	e.call("GET", "/api/cards/virtual-cards/"+apiCardID, "", 1)
	known := `<a href="/cards/` + apiCardID + `" title="` + apiCardID + `">Api Ana •• 4321</a>`
	plain := `<span class="mono" title="No card with this id in the console">` + unknown + `</span>`

	list := e.get(operator, "/api-log")
	wantBody(t, list, 200, known, plain)
	if strings.Contains(list.Body.String(), `href="/cards/`+unknown+`"`) {
		t.Error("the list links an unknown card id")
	}
	reqs, err := e.store.APIRequests(context.Background(), store.APIRequestFilter{})
	if err != nil || len(reqs) != 2 {
		t.Fatalf("log: %d calls, %v", len(reqs), err)
	}
	wantBody(t, e.get(operator, "/api-log/"+strconv.FormatInt(reqs[0].ID, 10)), 200, known)
	page := e.get(operator, "/api-log/"+strconv.FormatInt(reqs[1].ID, 10))
	wantBody(t, page, 200, plain)
	if strings.Contains(page.Body.String(), `href="/cards/`+unknown+`"`) {
		t.Error("the call's page links an unknown card id")
	}
}
