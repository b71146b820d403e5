package e2e

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"
)

// cardLiveOpen is the card page's live element while its stream is open.
func cardLiveOpen(page playwright.Page) playwright.Locator {
	return page.Locator(`#card-live[data-stream="open"]`)
}

// TestCardPageLiveAfterSimulation: QA presses Authorize then Clearing on a
// card page; the balance, movements, audit trail and deliveries change
// without a reload, and a viewer who has the same card open sees the
// balance, movements and the events arrive, pushed by the card's stream.
func TestCardPageLiveAfterSimulation(t *testing.T) {
	c := startSimConsole(t)

	viewer := newPage(t)
	signIn(t, viewer, c.URL, "viewer")
	if _, err := viewer.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(cardLiveOpen(viewer)).ToHaveCount(1))

	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(cardLiveOpen(page)).ToHaveCount(1))
	must(t, expect.Locator(page.GetByTestId("card-balance")).ToHaveText("100.00 USD"))
	must(t, expect.Locator(page.Locator("#card-movements")).ToContainText("No movements on this card."))
	// A reload would lose this mark.
	for _, p := range []playwright.Page{page, viewer} {
		if _, err := p.Evaluate(`() => { window.notReloaded = true }`); err != nil {
			t.Fatal(err)
		}
	}

	panel := page.Locator("#card-simulate")
	must(t, panel.GetByLabel("Amount (USD)").Fill("12.34"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.Locator("#card-sim-result")).ToContainText("Authorized 12.34 USD"))
	must(t, expect.Locator(page.GetByTestId("card-movements")).ToContainText("AUTHORIZATION"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Clearing", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.Locator("#card-sim-result")).ToContainText("Cleared 12.34 USD"))

	must(t, expect.Locator(page.GetByTestId("card-balance")).ToHaveText("87.66 USD"))
	// The balance chart moves with it (its figures, as a table).
	must(t, expect.Locator(page.GetByTestId("balance-chart").Locator("tbody tr").Last()).ToContainText("87.66"))
	must(t, expect.Locator(page.GetByTestId("card-movements")).ToContainText("CLEARING"))
	must(t, expect.Locator(page.Locator("#card-audit")).ToContainText("simulate"))
	rows := page.GetByTestId("deliveries").Locator("tbody tr")
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/CLEARING"})).ToContainText("delivered"))
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/AUTHORIZATION"})).ToContainText("delivered"))
	must(t, expect.Locator(page.Locator("#card-events")).ToContainText("CLEARING"))
	// Nothing on its way: the deliveries table stops polling.
	must(t, expect.Locator(page.Locator("#deliveries")).Not().ToHaveAttribute("hx-trigger", simRegexp("every")))

	// The viewer's page changed too, pushed by the stream.
	must(t, expect.Locator(viewer.GetByTestId("card-balance")).ToHaveText("87.66 USD"))
	must(t, expect.Locator(viewer.GetByTestId("card-movements")).ToContainText("CLEARING"))
	must(t, expect.Locator(viewer.Locator("#card-events")).ToContainText("CLEARING"))
	must(t, expect.Locator(viewer.Locator("#card-events")).ToContainText("AUTHORIZATION"))

	for _, p := range []playwright.Page{page, viewer} {
		if v, err := p.Evaluate(`() => window.notReloaded === true`); err != nil || v != true {
			t.Errorf("page was reloaded (mark = %v, err %v)", v, err)
		}
		must(t, expect.Locator(cardLiveOpen(p)).ToHaveCount(1))
	}
}

// TestCardSectionShowsAChangeMadeWhileItFetched: a change the card's stream
// signals while a live section is still fetching itself is not lost. The
// events section's fetch is answered by the server before a notification
// about the card arrives and handed to the page only after the stream has
// signalled it; the section must still end up showing the notification.
func TestCardSectionShowsAChangeMadeWhileItFetched(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(cardLiveOpen(page)).ToHaveCount(1))
	events := page.Locator("#card-events")
	must(t, expect.Locator(events).ToContainText("No events for this card."))

	// The section's next fetch: answered at once, handed over late.
	fetched, release := holdNextAnswer(t, page, "**/cards/"+e2eCardID+"/events")
	if _, err := page.Evaluate(`() => {
		window.cardSignals = 0
		document.body.addEventListener('htmx:sseMessage', e => { if (e.detail.type === 'card-changed') window.cardSignals++ })
		htmx.trigger(document.body, 'card-changed') // as a simulation's answer does
	}`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, fetched, "the events section fetching itself on card-changed")
	deliver(t, c, fmt.Sprintf(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"op-while-fetching","status":"PENDING","data":{"card_id":%q}}`, e2eCardID))
	if _, err := page.WaitForFunction(`() => window.cardSignals > 0`, nil); err != nil {
		t.Fatalf("the card's stream did not signal the notification: %v", err)
	}
	close(release)
	must(t, expect.Locator(events).ToContainText("op-while-fetching"))
}

// holdNextAnswer makes the page's next request to url (a glob) be answered
// by the server at once but handed to the page only when release is
// closed; fetched is closed once the server has answered. It lets a test
// make a change the answer predates while that answer is on its way.
func holdNextAnswer(t *testing.T, page playwright.Page, url string) (fetched, release chan struct{}) {
	t.Helper()
	fetched, release = make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	must(t, page.Route(url, func(route playwright.Route) {
		if !first.CompareAndSwap(false, true) {
			route.Continue()
			return
		}
		go func() {
			resp, err := route.Fetch()
			close(fetched)
			if err != nil {
				route.Abort()
				return
			}
			<-release
			// The page may have given this request up by now.
			route.Fulfill(playwright.RouteFulfillOptions{Response: resp})
		}()
	}))
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	return fetched, release
}

// waitFor waits, at most 15 s, for ch to be closed.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(15 * time.Second):
		t.Fatalf("no sign of %s within 15 s", what)
	}
}
