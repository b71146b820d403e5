package e2e

import (
	"strconv"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// eventRows are the event log's rows.
func eventRows(page playwright.Page) playwright.Locator {
	return page.Locator("#event-rows tr[data-operation-id]")
}

// pressReplay presses Replay on an event page and waits until the page says
// the replay was delivered and shows want attempts.
func pressReplay(t *testing.T, page playwright.Page, n int) {
	t.Helper()
	want := strconv.Itoa(n)
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Replay", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("replay-result")).ToHaveAttribute("data-state", "delivered"))
	must(t, expect.Locator(page.GetByTestId("attempts")).ToHaveText(want))
	must(t, expect.Locator(page.GetByTestId("replay-result")).ToContainText("The event now has "+want+" attempts"))
	must(t, expect.Locator(page.GetByTestId("event-attempts").Locator(":scope > table > tbody > tr")).ToHaveCount(n))
}

// TestReplaySimulatedEvent: QA presses Authorize on the Simulate page, opens
// the event the console's receiver stored, presses Replay twice and sees its
// attempts go to 2, then 3, without reloading, and still one event.
func TestReplaySimulatedEvent(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/simulate?card=" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByLabel("Amount (USD)").Fill("7.50"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Authorized 7.50 USD"))
	must(t, expect.Locator(page.GetByTestId("deliveries").Locator("tbody tr").First()).ToContainText("delivered"))

	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Events", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(eventRows(page)).ToHaveCount(1))
	must(t, eventRows(page).First().GetByRole("link").First().Click())
	must(t, expect.Locator(page.GetByTestId("verification")).ToHaveText("standard-webhooks: ok"))
	must(t, expect.Locator(page.GetByTestId("attempts")).ToHaveText("1"))

	pressReplay(t, page, 2)
	pressReplay(t, page, 3)

	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Events", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(eventRows(page)).ToHaveCount(1))
}

// TestReplayKeyOnlyEvent: an event posted from outside with the provider's
// key (no webhook-id) is replayed from its page: one more attempt on it, and
// no new event in the log.
func TestReplayKeyOnlyEvent(t *testing.T) {
	c := startConsole(t)
	deliver(t, c, cardEvent("e2e-key-only"))
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	must(t, row(page, "e2e-key-only").GetByRole("link").First().Click())
	must(t, expect.Locator(page.GetByTestId("verification")).ToHaveText("provider-key: ok"))

	pressReplay(t, page, 2)

	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Events", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(eventRows(page)).ToHaveCount(1))
	must(t, expect.Locator(row(page, "e2e-key-only")).ToHaveCount(1))
}
