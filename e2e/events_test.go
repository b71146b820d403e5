package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"cardops/web"
)

// deliver posts a notification to the console's receiver as the provider
// would, with the key stored in the console's database.
func deliver(t *testing.T, c *console, body string) {
	t.Helper()
	sec, err := c.Store.WebhookSecrets(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, c.URL+"/webhooks", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Webhook-Key", sec.Key)
	req.Header.Set("X-Request-Timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("deliver: status %d, want 200", resp.StatusCode)
	}
}

func cardEvent(opID string) string {
	return fmt.Sprintf(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":%q,"status":"PENDING","data":{"card_id":"c-e2e"}}`, opID)
}

func walletEvent(opID string) string {
	return fmt.Sprintf(`{"operation":"VIRTUAL_WALLETS","sub_operation":"DEPOSIT","operation_id":%q,"status":"SUCCESS","data":{"wallet_id":"w-e2e"}}`, opID)
}

func row(page playwright.Page, opID string) playwright.Locator {
	return page.Locator(fmt.Sprintf(`#event-rows tr[data-operation-id=%q]`, opID))
}

// TestEventLogLiveTail opens the event log, delivers notifications from the
// test and watches them appear without a reload; a filter hides a live event
// that does not match; pause stops the tail and resume catches up.
func TestEventLogLiveTail(t *testing.T) {
	c := startConsole(t)
	deliver(t, c, cardEvent("e2e-old"))
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Events", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events"))
	must(t, expect.Locator(row(page, "e2e-old")).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Live"))
	// The stream is open once htmx has processed the page; give it a moment
	// to subscribe, then deliver.
	page.WaitForTimeout(300)

	deliver(t, c, cardEvent("e2e-live-1"))
	must(t, expect.Locator(row(page, "e2e-live-1")).ToBeVisible())
	must(t, expect.Locator(page.Locator("#event-rows tr[data-operation-id]").First()).ToHaveAttribute("data-operation-id", "e2e-live-1"))

	// Filter to wallet events: the URL reflects it, and a live card event
	// does not appear while a matching one does.
	must(t, page.GetByLabel("Operation", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)}).Fill("VIRTUAL_WALLETS"))
	must(t, page.GetByLabel("Operation", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)}).Press("Enter"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events?operation=VIRTUAL_WALLETS"))
	must(t, expect.Locator(row(page, "e2e-live-1")).ToHaveCount(0))
	page.WaitForTimeout(300)
	deliver(t, c, cardEvent("e2e-hidden"))
	deliver(t, c, walletEvent("e2e-wallet"))
	must(t, expect.Locator(row(page, "e2e-wallet")).ToBeVisible())
	// The stream sends in id order, so the card event would have come first.
	must(t, expect.Locator(row(page, "e2e-hidden")).ToHaveCount(0))

	// Pause: nothing arrives; resume: the missed event is there.
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Pause"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Paused"))
	deliver(t, c, walletEvent("e2e-while-paused"))
	page.WaitForTimeout(500)
	must(t, expect.Locator(row(page, "e2e-while-paused")).ToHaveCount(0))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Resume"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Live"))
	must(t, expect.Locator(row(page, "e2e-while-paused")).ToBeVisible())
	page.WaitForTimeout(300)
	deliver(t, c, walletEvent("e2e-after-resume"))
	must(t, expect.Locator(row(page, "e2e-after-resume")).ToBeVisible())
	must(t, expect.Locator(row(page, "e2e-while-paused")).ToHaveCount(1))

	// An event opens to its page with the pretty JSON and verification.
	must(t, row(page, "e2e-wallet").GetByRole("link").First().Click())
	must(t, expect.Locator(page.GetByTestId("verification")).ToHaveText("provider-key: ok"))
	must(t, expect.Locator(page.GetByTestId("pretty-json")).ToContainText(`"wallet_id": "w-e2e"`))
}

// TestEventLogPausesWhenPageIsFull: a page left open keeps at most LiveRows
// live rows; then the tail shows itself paused and says why, and Resume
// brings the newest events.
func TestEventLogPausesWhenPageIsFull(t *testing.T) {
	c := startConsole(t, func(cfg *web.Config) { cfg.LiveRows = 2 })
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Live"))
	page.WaitForTimeout(300) // the stream subscribes

	for _, id := range []string{"full-1", "full-2", "full-3"} {
		deliver(t, c, cardEvent(id))
	}
	must(t, expect.Locator(row(page, "full-1")).ToBeVisible())
	must(t, expect.Locator(row(page, "full-2")).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Paused"))
	must(t, expect.Locator(page.GetByTestId("live-full")).ToContainText("2 new events were added live"))
	page.WaitForTimeout(300)
	must(t, expect.Locator(row(page, "full-3")).ToHaveCount(0))

	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Resume"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Live"))
	must(t, expect.Locator(row(page, "full-3")).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("live-full")).ToHaveCount(0))
}
