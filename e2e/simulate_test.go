package e2e

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"cardops/store"
	"cardops/store/storetest"
)

const e2eCardID = "11111111-2222-4333-8444-000000000001"

// addE2ECard gives the console one ACTIVE card with 100.00 USD.
func addE2ECard(t *testing.T, c *console) {
	t.Helper()
	storetest.AddCard(t, c.Store, storetest.Card{ID: e2eCardID, Holder: "Ana Browser", Last4: "4242", Balance: 10000})
}

// receivedOperations lists the events the embedded receiver stored, oldest
// first, as "OPERATION/SUB STATUS".
func receivedOperations(t *testing.T, c *console) []string {
	t.Helper()
	evs, err := c.Store.Events(context.Background(), store.EventFilter{Ascending: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Operation+"/"+e.SubOperation+" "+e.Status)
	}
	return out
}

// startSimConsole is startConsole with one ACTIVE card.
func startSimConsole(t *testing.T) *console {
	t.Helper()
	c := startConsole(t)
	addE2ECard(t, c)
	return c
}

// TestSimulateAuthorizeThenClearing: QA picks a card, presses Authorize,
// then Clearing, and watches both notifications get delivered (signed, to
// the receiver) and the balance move once, in the Card panel as it
// happens.
func TestSimulateAuthorizeThenClearing(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Simulate", Exact: playwright.Bool(true)}).Click())
	// The Simulate page, once htmx has set it up.
	must(t, expect.Locator(page.GetByLabel("Find a card")).ToBeVisible())
	keysReady(t, page)
	must(t, page.GetByLabel("Find a card").Fill("ana"))
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Use this card"}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-card-balance")).ToHaveText("100.00 USD"))

	must(t, page.GetByLabel("Amount (USD)").Fill("12.34"))
	must(t, page.GetByLabel("Merchant name").Fill("Corner Café"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Authorized 12.34 USD"))
	// The Card panel shows the hold at once, not after a reload.
	must(t, expect.Locator(page.GetByTestId("sim-card-balance")).ToHaveText("87.66 USD"))
	// The deliveries table refreshes every second until what is on its way
	// is delivered. The dispatcher delivers several at once, in no set
	// order: the clearing is pressed once the authorization is delivered,
	// so the receiver's order below is the order they were sent in.
	rows := page.GetByTestId("deliveries").Locator("tbody tr")
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/AUTHORIZATION"})).ToContainText("delivered"))

	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Clearing", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Cleared 12.34 USD"))
	must(t, expect.Locator(page.GetByTestId("sim-card-balance")).ToHaveText("87.66 USD"))

	must(t, expect.Locator(rows).ToHaveCount(2))
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/CLEARING"})).ToContainText("delivered"))
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/AUTHORIZATION"})).ToContainText("delivered"))
	must(t, expect.Locator(rows.First()).ToContainText("HTTP 200"))

	got := receivedOperations(t, c)
	if len(got) != 2 || got[0] != "CARDS/AUTHORIZATION PENDING" || got[1] != "CARDS/CLEARING SUCCESS" {
		t.Errorf("receiver took %v, want the authorization then the clearing", got)
	}
	if _, err := page.Reload(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("sim-card-balance")).ToHaveText("87.66 USD"))
}

// TestSimulateHiddenFromViewer: a level-1 user has no Simulate navigation
// and is refused the page.
func TestSimulateHiddenFromViewer(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	must(t, expect.Locator(page.Locator("nav.nav").GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Simulate"})).ToHaveCount(0))
	resp, err := page.Goto(c.URL + "/simulate?card=" + e2eCardID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status() != http.StatusForbidden {
		t.Errorf("status = %d, want 403", resp.Status())
	}
	must(t, expect.Locator(page.GetByRole("heading", playwright.PageGetByRoleOptions{Name: "Not allowed"})).ToBeVisible())
	must(t, expect.Locator(page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize"})).ToHaveCount(0))
}

// TestSimulateEditBrokenAndBurst: QA opens the notification an action would
// send, sends it deliberately malformed and sees the receiver refuse it,
// then sends a burst and watches its progress to the end.
func TestSimulateEditBrokenAndBurst(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/simulate?card=" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByLabel("Amount (USD)").Fill("5"))
	if _, err := page.GetByLabel("Notification of").SelectOption(playwright.SelectOptionValues{Values: playwright.StringSlice("3ds")}); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Open the notification"}).Click())
	payload := page.GetByLabel("Notification JSON")
	must(t, expect.Locator(payload).ToHaveValue(simRegexp(`"sub_operation": "NOTIFICATION_3DS_AUTHORIZATION"`)))

	// Not JSON: a clear message, nothing sent.
	must(t, payload.Fill(`{"operation": "CARDS",`))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send this notification"}).Click())
	must(t, expect.Locator(page.Locator("#editor").GetByRole("alert")).ToContainText("not valid JSON"))

	must(t, payload.Fill(`{"operation":"CARDS","sub_operation":"REFUND","operation_id":"qa-broken-1","status":"SUCCESS","data":{"card_id":"`+e2eCardID+`"}}`))
	if _, err := page.GetByLabel("Delivery").SelectOption(playwright.SelectOptionValues{Values: playwright.StringSlice("malformed_json")}); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send this notification"}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("deliberately broken"))
	row := page.GetByTestId("deliveries").Locator("tbody tr").Filter(playwright.LocatorFilterOptions{HasText: "malformed_json"})
	must(t, expect.Locator(row).ToContainText("refused"))
	must(t, expect.Locator(row).ToContainText("HTTP 400"))

	must(t, page.GetByLabel("Notifications").Fill("300"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send burst"}).Click())
	// 300 deliveries through the dispatcher and the receiver: allow for a
	// slow machine (a minute), not the default wait.
	must(t, expect.Locator(page.GetByTestId("burst-progress")).ToContainText("300 of 300 delivered — done.",
		playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(60_000)}))
	if got := len(receivedOperations(t, c)); got != 300 {
		t.Errorf("receiver took %d notifications, want the 300 of the burst (the broken one refused)", got)
	}
}

func simRegexp(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }

// TestSimulateBurstStop: with the receiver down a burst stays pending and
// would hold back the next one; QA stops it from its progress, sees what
// was not sent, and starts the next burst, which goes out once the
// receiver is back.
func TestSimulateBurstStop(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/simulate"); err != nil {
		t.Fatal(err)
	}
	keysReady(t, page)
	c.ReceiverDown(true)
	must(t, page.GetByLabel("Notifications").Fill("50"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send burst"}).Click())
	progress := page.GetByTestId("burst-progress")
	must(t, expect.Locator(progress).ToContainText("Burst #1: 0 of 50 delivered, 50 pending"))
	// The next burst waits for this one, and says how to get past it.
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send burst"}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("or stop it"))

	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Stop sending"}).Click())
	must(t, expect.Locator(progress).ToContainText(regexp.MustCompile(
		`Burst #1: 0 of 50 delivered, 50 not sent \(stopped by operator at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) — done\.`)))
	must(t, expect.Locator(page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Stop sending"})).ToHaveCount(0))

	c.ReceiverDown(false)
	must(t, page.GetByLabel("Notifications").Fill("20"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send burst"}).Click())
	must(t, expect.Locator(progress).ToContainText("Burst #2: 20 of 20 delivered — done.",
		playwright.LocatorAssertionsToContainTextOptions{Timeout: playwright.Float(60_000)}))
	if got := len(receivedOperations(t, c)); got != 20 {
		t.Errorf("receiver took %d notifications, want the second burst's 20", got)
	}
}
