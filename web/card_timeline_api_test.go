package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

// apiTimelineCalls makes three calls of the provider API about the API
// test card: a read with the level-1 key, its id typed in upper case
// (request log id 1), a freeze with the admin's key (2: it also leaves a
// freeze and an audit row) and a read without a key (3, refused).
func apiTimelineCalls(t *testing.T, e *apiEnv) {
	t.Helper()
	for _, c := range []struct {
		method, path, body string
		level              store.Level
		want               int
	}{
		{"GET", "/api/cards/virtual-cards/" + strings.ToUpper(apiCardID), "", store.LevelReadOnly, http.StatusOK},
		{"PATCH", "/api/cards/virtual-cards/" + apiCardID + "/frozen", `{"freeze":true}`, store.LevelAdmin, http.StatusOK},
		{"GET", "/api/cards/virtual-cards/" + apiCardID, "", 0, http.StatusUnauthorized},
	} {
		if rec := e.call(c.method, c.path, c.body, c.level); rec.Code != c.want {
			t.Fatalf("%s %s: status = %d, want %d; %s", c.method, c.path, rec.Code, c.want, rec.Body.String())
		}
	}
}

// TestCardTimelineAPICalls: the calls of the provider API that name a card
// are lines of its timeline, linked to the request log, for those who may
// open the request log (level 2); a viewer sees neither them nor their
// chip, and a link asking for them is refused.
func TestCardTimelineAPICalls(t *testing.T) {
	card := "/cards/" + apiCardID
	for _, sc := range []scenario{
		{name: "an operator sees the calls, linked to the request log", method: "GET", url: card, as: store.LevelOperational,
			wantStatus: http.StatusOK,
			wantContains: []string{`id="tl-api-2"`, `data-testid="tl-api-call"`,
				`<a href="/api-log/2" class="mono" data-testid="tl-api-call">PATCH /api/cards/virtual-cards/` + apiCardID + `/frozen</a>`,
				`<span class="badge ok">200 OK</span>`, "by key backend-l3",
				// The read typed in upper case is the card's too.
				`href="/api-log/1"`, "by key backend-l1",
				`href="/api-log/3"`, `<span class="badge warn">401 Unauthorized</span>`, "no key",
				`aria-label="API call"`, `data-kind="api">API calls</a>`,
				// The freeze and its audit row stay lines of their own.
				`id="tl-status-1"`, `<span class="mono">card.freeze</span>`}},
		{name: "a viewer sees no API call nor its chip", method: "GET", url: card, as: store.LevelReadOnly,
			wantStatus:      http.StatusOK,
			wantContains:    []string{`id="tl-status-1"`, `<span class="mono">card.freeze</span>`, `data-kind="audit"`},
			wantNotContains: []string{"tl-api", "/api-log/", `data-kind="api"`, `aria-label="API call"`, ">API calls</a>"}},
		{name: "a viewer's live timeline has none either", method: "GET", url: card + "/timeline", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`id="tl-status-1"`},
			wantNotContains: []string{"tl-api", "/api-log/", `data-kind="api"`}},
		{name: "kind=api shows only the calls", method: "GET", url: card + "/timeline?kind=api", as: store.LevelOperational,
			wantStatus: http.StatusOK,
			wantContains: []string{`hx-get="/cards/` + apiCardID + `/timeline?kind=api"`, `id="tl-api-3"`, `id="tl-api-2"`, `id="tl-api-1"`,
				`class="chip on" aria-current data-kind="api"`},
			wantNotContains: []string{`id="tl-status-1"`, `id="tl-audit-`, `id="tl-movement-`}},
		{name: "kind=api with another kind", method: "GET", url: card + "/timeline?kind=api&kind=status", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{`id="tl-api-2"`, `id="tl-status-1"`},
			wantNotContains: []string{`id="tl-audit-`}},
		{name: "a viewer may not ask for kind=api", method: "GET", url: card + "?kind=api", as: store.LevelReadOnly,
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed", "API calls on a card&#39;s timeline need level 2"},
			wantNotContains: []string{"/api-log/"}},
		{name: "a viewer may not open a call's entry", method: "GET", url: card + "?at=api-2", as: store.LevelReadOnly,
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed"}, wantNotContains: []string{"/api-log/"}},
		{name: "an operator's at= opens the call's entry", method: "GET", url: card + "?at=api-1", as: store.LevelOperational,
			wantStatus: http.StatusOK, wantContains: []string{`class="tl-entry tl-api tl-at" data-key="api-1" aria-current`},
			wantNotContains: []string{`id="tl-api-2"`}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			e := newAPIEnv(t)
			apiTimelineCalls(t, e)
			sc.run(t, e.testEnv)
		})
	}
}

// TestCardStreamSignalsAPICalls: a call of the provider API that names the
// card, a read included, tells the card's page of an operator (whose
// timeline shows it) that the card changed; not a viewer's, nor another
// card's page.
func TestCardStreamSignalsAPICalls(t *testing.T) {
	e := newAPIEnv(t, func(c *Config) { c.StreamKeepAlive = 20 * time.Millisecond })
	ts := startHTTP(t, e.testEnv)
	other := storetest.AddCard(t, e.store, storetest.Card{Holder: "Otto Other"})
	operator, viewer := e.login("operator"), e.login("viewer")

	mine := openStream(t, ts.URL, "/cards/"+apiCardID+"/stream?after=0", operator, "")
	viewers := openStream(t, ts.URL, "/cards/"+apiCardID+"/stream?after=0", viewer, "")
	theirs := openStream(t, ts.URL, "/cards/"+other+"/stream?after=0", operator, "")
	if rec := e.call("GET", "/api/cards/virtual-cards/"+strings.ToUpper(apiCardID), "", store.LevelReadOnly); rec.Code != http.StatusOK {
		t.Fatalf("API call: status = %d, want %d", rec.Code, http.StatusOK)
	}
	if m := mine.next(t); m.Event != views.CardChangedEvent {
		t.Errorf("after the API call got %s, want %s", m.Event, views.CardChangedEvent)
	}
	viewers.none(t, 100*time.Millisecond)
	theirs.none(t, 100*time.Millisecond)
}
