package e2e

import (
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestAuthorizeClearingOnCardPageShowsLive: QA presses Authorize on a card
// page, then Clearing; both notifications go out through the outbox and the
// dispatcher to the console's own receiver, arrive live in an open event log,
// and the card page shows the movements and the events.
func TestAuthorizeClearingOnCardPageShowsLive(t *testing.T) {
	c := startSimConsole(t)

	log := newPage(t)
	signIn(t, log, c.URL, "viewer")
	if _, err := log.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	// The page says when its stream is open (and so subscribed).
	must(t, expect.Locator(liveOpen(log)).ToHaveCount(1))

	card := newPage(t)
	signIn(t, card, c.URL, "operator")
	if _, err := card.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	panel := card.Locator("#card-simulate")
	must(t, panel.GetByLabel("Amount (USD)").Fill("12.34"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(card.Locator("#card-sim-result")).ToContainText("Authorized 12.34 USD"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Clearing", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(card.Locator("#card-sim-result")).ToContainText("Cleared 12.34 USD"))

	rows := log.Locator("#event-rows tr")
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CLEARING"})).ToHaveCount(1))
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "AUTHORIZATION"})).ToHaveCount(1))

	if _, err := card.Reload(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(card.GetByTestId("card-balance")).ToHaveText("87.66 USD"))
	movements := card.GetByTestId("card-movements")
	must(t, expect.Locator(movements).ToContainText("AUTHORIZATION"))
	must(t, expect.Locator(movements).ToContainText("CLEARING"))
	events := card.Locator("#card-events")
	must(t, expect.Locator(events).ToContainText("CLEARING"))
	must(t, expect.Locator(events).ToContainText("AUTHORIZATION"))
}

// TestViewerHasNoSimulationButtons: a level-1 user sees the card page
// without the simulation panel.
func TestViewerHasNoSimulationButtons(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("card-pan")).ToBeVisible())
	must(t, expect.Locator(page.Locator("#card-simulate")).ToHaveCount(0))
	must(t, expect.Locator(page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize"})).ToHaveCount(0))
}
