package e2e

import (
	"testing"

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
