package web

import (
	"net/http"
	"testing"

	"cardops/store"
)

// TestErrorPagesLeadBack: a refusal names what was asked for plainly and
// offers the way back to where the person was going; an unknown path is
// shown in the usual layout to a signed-in person.
func TestErrorPagesLeadBack(t *testing.T) {
	const nav = `<nav class="nav" aria-label="Main">`
	runScenarios(t, []scenario{
		{name: "no such delivery, its number unquoted", method: http.MethodGet, url: "/simulate/deliveries/99999", as: store.LevelOperational,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no delivery #99999.", `href="/simulate/deliveries"`},
			wantNotContains: []string{"&#34;99999&#34;", `"99999"`}},
		{name: "no such burst, its number unquoted", method: http.MethodGet, url: "/simulate/bursts/999", as: store.LevelOperational,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no burst #999.", `href="/simulate"`},
			wantNotContains: []string{"&#34;999&#34;"}},
		{name: "a delivery id that is no number is quoted", method: http.MethodGet, url: "/simulate/deliveries/abc", as: store.LevelOperational,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no delivery &#34;abc&#34;."}},
		{name: "an unknown path in the layout when signed in", method: http.MethodGet, url: "/nope", as: store.LevelReadOnly,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no page at /nope.", nav, "viewer"}},
		{name: "/settings is an unknown path in the layout too", method: http.MethodGet, url: "/settings", as: store.LevelAdmin,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no page at /settings.", nav, `href="/settings/webhooks"`}},
		{name: "an unknown path without the layout when signed out", method: http.MethodGet, url: "/nope",
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no page at /nope."}, wantNotContains: []string{nav}},
		{name: "a page asked for with another method says which it takes", method: http.MethodPost, url: "/events", as: store.LevelReadOnly,
			wantStatus: http.StatusMethodNotAllowed, wantHeaders: map[string]string{"Allow": "GET, HEAD"},
			wantContains: []string{"Wrong method", "The address /events is there, but takes only GET, HEAD.", nav}},
		{name: "so does a stream", method: http.MethodDelete, url: "/events/stream", as: store.LevelReadOnly,
			wantStatus: http.StatusMethodNotAllowed, wantHeaders: map[string]string{"Allow": "GET, HEAD"},
			wantContains: []string{"takes only GET, HEAD."}},
		{name: "and an action", method: http.MethodGet, url: "/simulate/bursts/1/stop", as: store.LevelOperational,
			wantStatus: http.StatusMethodNotAllowed, wantHeaders: map[string]string{"Allow": "POST"},
			wantContains: []string{"takes only POST."}},
		{name: "signed out too, without the layout", method: http.MethodPut, url: "/cards/" + freezeCardID,
			wantStatus: http.StatusMethodNotAllowed, wantHeaders: map[string]string{"Allow": "GET, HEAD"},
			wantContains: []string{"takes only GET, HEAD."}, wantNotContains: []string{nav}},
		{name: "no such event leads back to the event log", method: http.MethodGet, url: "/events/99999", as: store.LevelReadOnly,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no event #99999.", `<a href="/events">Back to the event log</a>`},
			wantNotContains: []string{"Back to the card search"}},
		{name: "a bad timeline kind leads back to the card", method: http.MethodGet, url: "/cards/" + freezeCardID + "?kind=bogus", as: store.LevelReadOnly,
			before: freezeCard("ACTIVE"), wantStatus: http.StatusBadRequest,
			wantContains:    []string{"The kind in this link is not valid.", `<a href="/cards/` + freezeCardID + `">Back to the card</a>`},
			wantNotContains: []string{"Back to the card search"}},
	})
}
