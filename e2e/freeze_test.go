package e2e

import (
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestFreezeJourney: an admin freezes a card from its page with a reason; an
// authorization from the card page is then declined as restricted; the admin
// unfreezes it and the next authorization goes through.
func TestFreezeJourney(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "admin")
	if _, err := page.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	freeze := page.GetByTestId("card-freeze")
	must(t, freeze.GetByText("Freeze card…").Click())
	// Submitting without a reason is refused by the browser's required
	// field; pick one as a person would.
	must(t, oneErr(freeze.GetByLabel("Reason").SelectOption(playwright.SelectOptionValues{Labels: &[]string{"Suspected fraud"}})))
	must(t, freeze.GetByLabel("Note").Fill("two purchases abroad"))
	must(t, freeze.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Freeze card"}).Click())

	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards/"+e2eCardID))
	must(t, expect.Locator(page.GetByTestId("card-status")).ToHaveText("FROZEN"))
	must(t, expect.Locator(page.GetByTestId("card-status-since")).ToContainText("admin: Suspected fraud — two purchases abroad"))

	panel := page.Locator("#card-simulate")
	must(t, panel.GetByLabel("Amount (USD)").Fill("5.00"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.Locator("#card-sim-result")).ToContainText("Declined 5.00 USD on card •••• "))
	must(t, expect.Locator(page.Locator("#card-sim-result")).ToContainText("62 Restricted card"))

	pressFreeze(t, freeze, "Unfreeze", "Lost, then found")
	must(t, expect.Locator(page.GetByTestId("card-status")).ToHaveText("ACTIVE"))

	must(t, panel.GetByLabel("Amount (USD)").Fill("5.00"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.Locator("#card-sim-result")).ToContainText("Authorized 5.00 USD"))
}

// oneErr keeps the error of a call that also returns a value.
func oneErr[T any](_ T, err error) error { return err }

// TestFreezeShowsInAnotherTab: support has a card open while an admin
// freezes it in another tab; the status on support's page changes, with
// who and why, without a reload.
func TestFreezeShowsInAnotherTab(t *testing.T) {
	c := startSimConsole(t)
	support := newPage(t)
	signIn(t, support, c.URL, "viewer")
	if _, err := support.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(cardLiveOpen(support)).ToHaveCount(1))
	if _, err := support.Evaluate(`() => { window.notReloaded = true }`); err != nil {
		t.Fatal(err)
	}

	admin := newPage(t)
	signIn(t, admin, c.URL, "admin")
	if _, err := admin.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	freeze := admin.GetByTestId("card-freeze")
	pressFreeze(t, freeze, "Freeze", "Customer request")
	must(t, expect.Locator(admin.GetByTestId("card-status")).ToHaveText("FROZEN"))

	must(t, expect.Locator(support.GetByTestId("card-status")).ToHaveText("FROZEN"))
	must(t, expect.Locator(support.GetByTestId("card-status-since")).ToContainText("admin: Customer request"))
	must(t, expect.Locator(support.Locator("#card-summary")).ToContainText("FROZEN"))
	if v, err := support.Evaluate(`() => window.notReloaded === true`); err != nil || v != true {
		t.Errorf("support's page was reloaded (%v, %v); want it changed in place", v, err)
	}
}

// TestFreezePanelFollowsAnotherTab: an admin has a card open while another
// tab freezes it: the first tab's panel offers Unfreeze, without a reload,
// and that form works; a simulation meanwhile leaves an open form alone.
func TestFreezePanelFollowsAnotherTab(t *testing.T) {
	c := startSimConsole(t)
	open := func() playwright.Page {
		page := newPage(t)
		signIn(t, page, c.URL, "admin")
		if _, err := page.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
			t.Fatal(err)
		}
		must(t, expect.Locator(cardLiveOpen(page)).ToHaveCount(1))
		return page
	}
	a, b := open(), open()
	if _, err := a.Evaluate(`() => { window.notReloaded = true }`); err != nil {
		t.Fatal(err)
	}
	// A's admin starts a freeze form; a simulation elsewhere changes the
	// balance, not the card's state: what they typed stays.
	panelA := a.GetByTestId("card-freeze")
	must(t, panelA.GetByText("Freeze card…").Click())
	must(t, panelA.GetByLabel("Note").Fill("half typed"))
	sim := b.Locator("#card-simulate")
	must(t, sim.GetByLabel("Amount (USD)").Fill("3.00"))
	must(t, sim.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(a.GetByTestId("card-balance")).ToHaveText("97.00 USD"))
	must(t, expect.Locator(panelA.GetByLabel("Note")).ToHaveValue("half typed"))

	panelB := b.GetByTestId("card-freeze")
	pressFreeze(t, panelB, "Freeze", "Customer request")
	must(t, expect.Locator(b.GetByTestId("card-status")).ToHaveText("FROZEN"))

	must(t, expect.Locator(a.GetByTestId("card-status")).ToHaveText("FROZEN"))
	must(t, expect.Locator(panelA.GetByText("Unfreeze card…")).ToBeVisible())
	if v, err := a.Evaluate(`() => window.notReloaded === true`); err != nil || v != true {
		t.Fatalf("the first tab was reloaded (%v, %v); its panel should have changed in place", v, err)
	}
	must(t, expect.Locator(panelA.GetByText("Freeze card…", playwright.LocatorGetByTextOptions{Exact: playwright.Bool(true)})).ToHaveCount(0))
	pressFreeze(t, panelA, "Unfreeze", "Lost, then found")
	must(t, expect.Locator(a.GetByTestId("card-status")).ToHaveText("ACTIVE"))
}

// pressFreeze opens the card's freeze panel's form (verb: Freeze or
// Unfreeze), picks the reason as a person would and sends it.
func pressFreeze(t *testing.T, panel playwright.Locator, verb, reason string) {
	t.Helper()
	must(t, panel.GetByText(verb+" card…", playwright.LocatorGetByTextOptions{Exact: playwright.Bool(true)}).Click())
	must(t, oneErr(panel.GetByLabel("Reason").SelectOption(playwright.SelectOptionValues{Labels: &[]string{reason}})))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: verb + " card"}).Click())
}
