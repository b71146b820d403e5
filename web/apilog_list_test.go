package web

import (
	"context"
	"net/http/httptest"
	"net/url"
	"slices"
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

// TestAPILogCardFilter: the request log's card filter takes what the card
// search takes, as the event log's does: the last 4 or the start of the id
// of a card the console holds lists that card's calls, and says so; an id
// it does not hold lists the calls that name it exactly; its live stream
// keeps to the same calls.
func TestAPILogCardFilter(t *testing.T) {
	e := newAPIEnv(t)
	const unknown = "00000000-0000-4000-8000-00000000dead"
	e.call("GET", "/api/cards/virtual-cards/"+apiCardID, "", 1)
	e.call("GET", "/api/cards/virtual-cards/"+unknown, "", 1)
	e.call("GET", "/api/cards/virtual-cards/list", "", 2)
	anaCall, unknownCall, listCall := "virtual-cards/"+apiCardID+"<", "virtual-cards/"+unknown+"<", "virtual-cards/list<"
	operator := e.login("operator")
	for _, tc := range []struct {
		card          string
		want, notWant []string
	}{
		{"4321", []string{"Showing the calls of the card", "Api Ana •• 4321", anaCall}, []string{unknownCall, listCall}},
		{strings.ToUpper(apiCardID[:8]), []string{"Showing the calls of the card", anaCall}, []string{unknownCall, listCall}},
		{apiCardID, []string{anaCall}, []string{`data-testid="card-matches"`, unknownCall, listCall}},
		{unknown, []string{"No card matches &#34;" + unknown + "&#34;", "the calls that name it exactly", unknownCall}, []string{anaCall, listCall}},
		{"9999", []string{"No card matches", "No API calls match."}, []string{anaCall, unknownCall, listCall}},
	} {
		page := e.get(operator, "/api-log?card="+url.QueryEscape(tc.card))
		wantBody(t, page, 200, tc.want...)
		for _, w := range tc.notWant {
			if strings.Contains(page.Body.String(), w) {
				t.Errorf("card %q: the page has %q", tc.card, w)
			}
		}
		req := httptest.NewRequest("GET", "/api-log/stream?after=0&card="+url.QueryEscape(tc.card), nil)
		req.AddCookie(operator)
		stream := e.doStream(req).Body.String()
		for _, w := range append(tc.want, tc.notWant...) {
			if !strings.HasPrefix(w, "virtual-cards/") {
				continue
			}
			path := "/api/cards/" + strings.TrimSuffix(w, "<")
			if got, listed := strings.Contains(stream, path), slices.Contains(tc.want, w); got != listed {
				t.Errorf("card %q: stream sends %s: %v, want %v", tc.card, path, got, listed)
			}
		}
	}
}
