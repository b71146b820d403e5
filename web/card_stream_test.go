package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

func cardNotification(opID, cardID string) string {
	return `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"` + opID +
		`","status":"PENDING","data":{"card_id":"` + cardID + `"}}`
}

// TestCardStreamSignalsTheCardsEvents: the card page's stream says the card
// changed when an event names it, not for another card's; a page read
// before an event was stored is told at once; the stream ends, saying so,
// when its session ends.
func TestCardStreamSignalsTheCardsEvents(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.StreamKeepAlive = 20 * time.Millisecond })
	ts := startHTTP(t, e)
	id := storetest.AddCard(t, e.store, storetest.Card{Holder: "Ana Live"})
	other := storetest.AddCard(t, e.store, storetest.Card{Holder: "Otto Other"})
	cookie := e.login("viewer")

	c := openStream(t, ts.URL, "/cards/"+strings.ToUpper(id)+"/stream?after=0", cookie, "")
	deliverOK(t, e, cardNotification("other-1", other))
	deliverOK(t, e, cardNotification("mine-1", strings.ToUpper(id)))
	if m := c.next(t); m.Event != views.CardChangedEvent || m.ID != 2 {
		t.Errorf("got %s message %d, want %s with id 2", m.Event, m.ID, views.CardChangedEvent)
	}
	c.none(t, 100*time.Millisecond)

	// A page read before events 2 and 3 were stored is told at once.
	deliverOK(t, e, cardNotification("other-2", other))
	late := openStream(t, ts.URL, "/cards/"+id+"/stream?after=1", cookie, "")
	if m := late.next(t); m.Event != views.CardChangedEvent || m.ID != 3 {
		t.Errorf("got %s message %d, want %s with id 3", m.Event, m.ID, views.CardChangedEvent)
	}
	// A page up to date is not.
	current := openStream(t, ts.URL, "/cards/"+other+"/stream?after=3", cookie, "")
	current.none(t, 100*time.Millisecond)

	req, _ := http.NewRequest(http.MethodPost, "/logout", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Fatalf("logout: status = %d, want %d", rec.Code, http.StatusSeeOther)
	}
	for _, s := range []*sseClient{c, late, current} {
		if m := s.next(t); m.Event != views.CardStreamEndEvent {
			t.Errorf("after sign-out got %s, want %s", m.Event, views.CardStreamEndEvent)
		}
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			t.Fatal("card stream still open 5s after sign-out")
		}
	}
}

// TestCardLiveSections: each live section of the card page answers alone,
// and a simulation from the page tells the page its card changed.
func TestCardLiveSections(t *testing.T) {
	e := newTestEnv(t)
	id := storetest.AddCard(t, e.store, storetest.Card{Holder: "Ana Live", Balance: 10000,
		Movements: []storetest.Movement{{Merchant: "Corner Shop", Amount: 250, At: 1_700_000_000_000}}})
	card, err := e.store.CardByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	version := strconv.FormatInt(card.Version, 10)
	runScenario := func(sc scenario) { t.Run(sc.name, func(t *testing.T) { sc.run(t, e) }) }
	for _, sc := range []scenario{
		{name: "summary", method: "GET", url: "/cards/" + id + "/summary?version=" + version, as: 3, wantStatus: 200,
			wantContains: []string{`id="card-summary"`, `hx-trigger="sse:card-changed, card-changed from:body"`, "100.00 USD",
				`id="card-head" hx-swap-oob="true"`, `id="card-status-line" hx-swap-oob="true"`,
				`hx-get="/cards/` + id + `/summary?version=` + version + `"`, `<div id="card-balance-chart" hx-swap-oob="true"><figure class="chart" id="balance-chart"`},
			// The admin's freeze form is left as it is: the card did not
			// change state since the page was drawn.
			wantNotContains: []string{`id="freeze"`}},
		{name: "summary after the card changed state", method: "GET", url: "/cards/" + id + "/summary?version=0", as: 3, wantStatus: 200,
			wantContains: []string{`id="card-summary"`, `id="freeze" data-testid="card-freeze" hx-swap-oob="true"`, "Freeze card…",
				`name="version" value="` + version + `"`}},
		{name: "movements", method: "GET", url: "/cards/" + id + "/movements", as: 1, wantStatus: 200,
			wantContains: []string{`id="card-movements"`, "Corner Shop", `hx-get="/cards/` + id + `/movements"`}},
		{name: "events", method: "GET", url: "/cards/" + id + "/events", as: 1, wantStatus: 200,
			wantContains: []string{`id="card-events"`, "No events for this card."}},
		{name: "audit", method: "GET", url: "/cards/" + id + "/audit", as: 1, wantStatus: 200,
			wantContains: []string{`id="card-audit"`, "Audit trail"}},
		{name: "deliveries need level 2", method: "GET", url: "/cards/" + id + "/deliveries", as: 1, wantStatus: 403,
			wantContains: []string{"needs level 2"}},
		{name: "deliveries", method: "GET", url: "/cards/" + id + "/deliveries", as: 2, wantStatus: 200,
			wantContains: []string{`id="deliveries"`, "No notifications sent yet."}, wantNotContains: []string{"every 1s"}},
		{name: "unknown card", method: "GET", url: "/cards/00000000-0000-4000-8000-000000000000/summary", as: 1, wantStatus: 404,
			wantContains: []string{"Card not found"}},
		{name: "page opens the card's stream", method: "GET", url: "/cards/" + id, as: 1, wantStatus: 200,
			wantContains: []string{`sse-connect="/cards/` + id + `/stream?after=0"`, `sse-close="stream-end"`}},
		{name: "an older movements page is not live", method: "GET", url: "/cards/" + id + "?mv=1700000000001.x", as: 1, wantStatus: 200,
			wantNotContains: []string{`hx-get="/cards/` + id + `/movements"`}},
		{name: "simulation tells the page", method: "POST", url: "/cards/" + id + "/simulate/authorize", as: 2,
			wantAudit: []string{"simulate.authorize ok"},
			form:      map[string][]string{"amount": {"1.00"}}, headers: map[string]string{"HX-Request": "true"}, wantStatus: 200,
			wantContains: []string{"Authorized"}, wantHeaders: map[string]string{"HX-Trigger": views.CardChangedEvent}},
		{name: "deliveries poll while one is on its way", method: "GET", url: "/cards/" + id + "/deliveries", as: 2, wantStatus: 200,
			wantContains: []string{"CARDS/AUTHORIZATION", `card-changed from:body, every 1s"`}},
	} {
		runScenario(sc)
	}
}

// TestCardStreamSignalsFreezeAndReissue: a card page open in another tab is
// told when the card is frozen, unfrozen or reissued, though no
// notification comes of it; another card's page is not.
func TestCardStreamSignalsFreezeAndReissue(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.StreamKeepAlive = 20 * time.Millisecond })
	ts := startHTTP(t, e)
	id := storetest.AddCard(t, e.store, storetest.Card{Holder: "Ana Live"})
	other := storetest.AddCard(t, e.store, storetest.Card{Holder: "Otto Other"})
	viewer, admin := e.login("viewer"), e.login("admin")

	mine := openStream(t, ts.URL, "/cards/"+id+"/stream?after=0", viewer, "")
	theirs := openStream(t, ts.URL, "/cards/"+other+"/stream?after=0", viewer, "")
	if rec := e.post(admin, "/cards/"+id+"/freeze", freezeForm("suspected_fraud", "", "1")); rec.Code != http.StatusSeeOther {
		t.Fatalf("freeze: status %d: %s", rec.Code, rec.Body.String())
	}
	if m := mine.next(t); m.Event != views.CardChangedEvent {
		t.Errorf("after the freeze got %s, want %s", m.Event, views.CardChangedEvent)
	}
	if rec := e.post(admin, "/cards/"+id+"/unfreeze", freezeForm("lost_then_found", "", "2")); rec.Code != http.StatusSeeOther {
		t.Fatalf("unfreeze: status %d: %s", rec.Code, rec.Body.String())
	}
	if m := mine.next(t); m.Event != views.CardChangedEvent {
		t.Errorf("after the unfreeze got %s, want %s", m.Event, views.CardChangedEvent)
	}
	if _, err := e.store.ReissueNow(context.Background(), id, store.Actor{Username: "api"}); err != nil {
		t.Fatal(err)
	}
	if m := mine.next(t); m.Event != views.CardChangedEvent {
		t.Errorf("after the reissue got %s, want %s", m.Event, views.CardChangedEvent)
	}
	theirs.none(t, 100*time.Millisecond)
}
