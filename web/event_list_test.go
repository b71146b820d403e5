package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

const (
	anaCardID  = "aaaa1111-0000-4000-8000-000000000001"
	bobCardID  = "bbbb2222-0000-4000-8000-000000000002"
	carlCardID = "cccc3333-0000-4000-8000-000000000003"
)

// cardFilterEnv holds three cards (Ana and Bob share the last 4 4242; Ana's
// former number ended 1111) and an event for each, one for a wallet and one
// for a card the console does not hold.
func cardFilterEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t, withWebhookCreds)
	storetest.AddCard(t, e.store, storetest.Card{ID: anaCardID, Holder: "Ana Filter", Last4: "4242", FormerLast4: []string{"1111"}})
	storetest.AddCard(t, e.store, storetest.Card{ID: bobCardID, Holder: "Bob Filter", Last4: "4242"})
	storetest.AddCard(t, e.store, storetest.Card{ID: carlCardID, Holder: "Carl Filter", Last4: "9999"})
	deliverOK(t, e, cardNotification("ev-ana", anaCardID))
	deliverOK(t, e, cardNotification("ev-bob", bobCardID))
	deliverOK(t, e, cardNotification("ev-carl", carlCardID))
	deliverOK(t, e, `{"operation":"VIRTUAL_WALLETS","sub_operation":"DEPOSIT","operation_id":"ev-wallet","status":"SUCCESS","data":{"wallet_id":"w-77"}}`)
	deliverOK(t, e, cardNotification("ev-unknown", "card-unknown"))
	return e
}

// TestEventListCardFilter: the event log's card filter takes what the card
// search takes (id or id prefix in any case, current or former last 4), a
// wallet id or an unknown card id exactly, and rows show the holder and
// last 4 linked to the card.
func TestEventListCardFilter(t *testing.T) {
	e := cardFilterEnv(t)
	op := func(id string) string { return `data-operation-id="` + id + `"` }
	all := []string{op("ev-ana"), op("ev-bob"), op("ev-carl"), op("ev-wallet"), op("ev-unknown")}
	except := func(keep ...string) []string {
		var out []string
		for _, a := range all {
			kept := false
			for _, k := range keep {
				kept = kept || a == op(k)
			}
			if !kept {
				out = append(out, a)
			}
		}
		return out
	}
	for _, sc := range []scenario{
		{name: "whole id in capitals", url: "/events?card=" + strings.ToUpper(anaCardID),
			wantContains:    []string{op("ev-ana"), `<a href="/cards/` + anaCardID + `" title="` + anaCardID + `">Ana Filter •• 4242</a>`},
			wantNotContains: append(except("ev-ana"), `data-testid="card-matches"`)},
		{name: "id prefix", url: "/events?card=AAAA1111",
			wantContains:    []string{op("ev-ana"), `data-testid="card-matches"`, "Showing the events of the card"},
			wantNotContains: except("ev-ana")},
		{name: "former last 4", url: "/events?card=1111",
			wantContains: []string{op("ev-ana")}, wantNotContains: except("ev-ana")},
		{name: "last 4 of two cards", url: "/events?card=4242",
			wantContains: []string{op("ev-ana"), op("ev-bob"), "Showing the events of the 2 cards that match:",
				`href="/events?card=` + anaCardID + `"`, `href="/events?card=` + bobCardID + `"`},
			wantNotContains: except("ev-ana", "ev-bob")},
		{name: "wallet id", url: "/events?card=w-77", wantContains: []string{op("ev-wallet"), "No card matches &#34;w-77&#34;"},
			wantNotContains: except("ev-wallet")},
		{name: "nothing matches: the page says so", url: "/events?card=nobody-at-all",
			wantContains:    []string{"No card matches &#34;nobody-at-all&#34; by id, last 4, name, e-mail or phone", "No events match."},
			wantNotContains: all},
		{name: "a card the console does not hold", url: "/events?card=card-unknown",
			// Shown as it is, not linked to a page that would say "not found".
			wantContains:    []string{op("ev-unknown"), `<span class="mono" title="No card with this id in the console">card-unknown</span>`},
			wantNotContains: append(except("ev-unknown"), `href="/cards/card-unknown"`)},
		{name: "no filter shows holders", url: "/events",
			wantContains: append(all, "Bob Filter •• 4242", "Carl Filter •• 9999")},
	} {
		sc.method, sc.as, sc.wantStatus = "GET", 1, 200
		t.Run(sc.name, func(t *testing.T) { sc.run(t, e) })
	}
}

// TestEventListEmpty: a log that has received nothing says so, so a new
// console does not look as if it hid its notifications; a filter or an
// older page that lists nothing says that nothing matches.
func TestEventListEmpty(t *testing.T) {
	const none, noMatch = "No notifications yet. They appear here as the receiver accepts them.", "No events match."
	runScenarios(t, []scenario{
		{name: "nothing received, no filter", method: "GET", url: "/events", as: store.LevelReadOnly, wantStatus: http.StatusOK,
			wantContains: []string{none}, wantNotContains: []string{noMatch}},
		{name: "nothing received, a filter", method: "GET", url: "/events?status=FAILED", as: store.LevelReadOnly, wantStatus: http.StatusOK,
			wantContains: []string{noMatch}, wantNotContains: []string{none}},
		{name: "nothing received, an older page", method: "GET", url: "/events?before=5", as: store.LevelReadOnly, wantStatus: http.StatusOK,
			wantContains: []string{noMatch}, wantNotContains: []string{none}},
	})
}

// TestEventStreamCardFilter: the live tail filters by the same cards as the
// listing.
func TestEventStreamCardFilter(t *testing.T) {
	e := cardFilterEnv(t)
	ts := startHTTP(t, e)
	c := openStream(t, ts.URL, "/events/stream?after=0&card=4242", e.login("viewer"), "")
	for _, want := range []string{"ev-ana", "ev-bob"} {
		if m := c.next(t); m.Event != views.LiveRowEvent || !strings.Contains(m.Data, `data-operation-id="`+want+`"`) || !strings.Contains(m.Data, "Filter •• 4242") {
			t.Fatalf("got %s %q, want the row of %s with its holder", m.Event, m.Data, want)
		}
	}
	deliverOK(t, e, cardNotification("live-carl", carlCardID))
	deliverOK(t, e, cardNotification("live-bob", bobCardID))
	if m := c.next(t); !strings.Contains(m.Data, `data-operation-id="live-bob"`) || !strings.Contains(m.Data, "Bob Filter •• 4242") {
		t.Fatalf("got %q, want the live row of live-bob with its holder", m.Data)
	}
	c.none(t, 100*time.Millisecond)
}

// TestEventFilterCutsOnACharacter: a filter value over 200 bytes is cut
// before the character that would cross the limit, never inside it.
func TestEventFilterCutsOnACharacter(t *testing.T) {
	long := "a" + strings.Repeat("é", 150) // 301 bytes; byte 200 is inside an é
	form, f := parseEventFilter(url.Values{"card": {long}, "q": {long}, "operation": {long}})
	for name, v := range map[string]string{"card": form.Card, "q": f.Q, "operation": f.Operation} {
		if !utf8.ValidString(v) || len(v) != 199 {
			t.Errorf("%s = %d bytes (valid UTF-8: %v), want 199 bytes of whole characters", name, len(v), utf8.ValidString(v))
		}
	}
}

// TestEventLogCardNumberNeverShownBack: a full card number typed into the
// event log's card filter finds its card but leaves the address (a
// redirect to the card's id, or to the masked number when no card has it),
// and the chart's and the stream's answers never show it either. Typed
// alone in the text box it is taken as the card filter; among other words
// it is masked.
func TestEventLogCardNumberNeverShownBack(t *testing.T) {
	e := cardFilterEnv(t)
	storetest.AddCard(t, e.store, storetest.Card{ID: oconnorID, Holder: "Siobhán O'CONNOR", PAN: testPAN})
	masked := url.QueryEscape(store.MaskPAN(unknownPAN))
	noNumber := []string{testPAN, spaced(testPAN), unknownPAN, unknownPAN[6:12]}
	for _, sc := range []scenario{
		{name: "a card's number goes to its id", url: "/events?card=" + testPAN + "&status=SUCCESS", wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/events?card=" + oconnorID + "&status=SUCCESS"}},
		{name: "spaced, from the filter form with htmx", url: "/events?card=" + url.QueryEscape(spaced(testPAN)), wantStatus: http.StatusOK,
			headers: map[string]string{"HX-Request": "true"}, wantHeaders: map[string]string{"HX-Redirect": "/events?card=" + oconnorID}},
		{name: "a number no card has goes to its masked form", url: "/events?card=" + unknownPAN, wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/events?card=" + masked}},
		{name: "the masked form is a filter", url: "/events?card=" + masked, wantStatus: http.StatusOK,
			wantContains: []string{`value="` + store.MaskPAN(unknownPAN) + `"`}, wantNotContains: noNumber},
		{name: "the chart", url: "/events/chart?card=" + testPAN, wantStatus: http.StatusOK,
			wantContains: []string{`hx-get="/events/chart?card=` + url.QueryEscape(store.MaskPAN(testPAN))}, wantNotContains: noNumber},
		{name: "a number alone in the text box is the card filter", url: "/events?q=" + testPAN, wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/events?card=" + oconnorID}},
		{name: "a number among words in the text box is masked", url: "/events?q=" + url.QueryEscape("paid "+spaced(unknownPAN)) + "&card=" + oconnorID,
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/events?card=" + oconnorID + "&q=" + url.QueryEscape("paid "+store.MaskPAN(unknownPAN))}},
	} {
		sc.method, sc.as = "GET", 1
		t.Run(sc.name, func(t *testing.T) {
			rec := sc.run(t, e)
			for _, n := range noNumber {
				if strings.Contains(rec.Body.String()+rec.Header().Get("Location")+rec.Header().Get("HX-Redirect"), n) {
					t.Errorf("the answer shows %q", n)
				}
			}
		})
	}
}
