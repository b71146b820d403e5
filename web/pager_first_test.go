package web

import (
	"net/http"
	"testing"

	"cardops/store"
)

// TestPagedListsLeadBackToTheFirstPage: a page after the first of the card
// search, the event log, the audit log and the API request log offers the
// first (newest) page, keeping the filters; the first page does not.
func TestPagedListsLeadBackToTheFirstPage(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "card search, a later page", method: http.MethodGet, url: "/cards?status=ACTIVE&after=3", as: store.LevelReadOnly,
			before: freezeCard("ACTIVE"), wantStatus: http.StatusOK,
			wantContains: []string{`<a href="/cards?status=ACTIVE" rel="first">← First page</a>`}},
		{name: "card search, the first page", method: http.MethodGet, url: "/cards?status=ACTIVE", as: store.LevelReadOnly,
			before: freezeCard("ACTIVE"), wantStatus: http.StatusOK, wantContains: []string{"Fay Frost"},
			wantNotContains: []string{"First page"}},
		{name: "event log, an older page", method: http.MethodGet, url: "/events?q=kiosk&before=999", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`<a href="/events?q=kiosk" rel="first">← Newest</a>`}},
		{name: "audit log, an older page", method: http.MethodGet, url: "/audit?actor=admin&before=999", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{`<a href="/audit?actor=admin" rel="first">← Newest</a>`}},
		{name: "audit log, the newest page", method: http.MethodGet, url: "/audit?actor=admin", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{"Audit log"}, wantNotContains: []string{"← Newest"}},
		{name: "API request log, an older page", method: http.MethodGet, url: "/api-log?status=4xx&before=999", as: store.LevelOperational,
			wantStatus: http.StatusOK, wantContains: []string{`rel="first">← Newest</a>`}},
	})
}
