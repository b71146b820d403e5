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

	"cardops/store"
	"cardops/store/storetest"
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
	// The page says when its stream is open (and so subscribed).
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))

	deliver(t, c, cardEvent("e2e-live-1"))
	must(t, expect.Locator(row(page, "e2e-live-1")).ToBeVisible())
	must(t, expect.Locator(page.Locator("#event-rows tr[data-operation-id]").First()).ToHaveAttribute("data-operation-id", "e2e-live-1"))

	// Filter to wallet events: the URL reflects it, and a live card event
	// does not appear while a matching one does.
	must(t, page.GetByLabel("Operation", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)}).Fill("VIRTUAL_WALLETS"))
	must(t, page.GetByLabel("Operation", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)}).Press("Enter"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events?operation=VIRTUAL_WALLETS"))
	must(t, expect.Locator(row(page, "e2e-live-1")).ToHaveCount(0))
	must(t, expect.Locator(page.Locator(`#live-control[data-stream="open"][sse-connect*="operation=VIRTUAL_WALLETS"]`)).ToHaveCount(1))
	deliver(t, c, cardEvent("e2e-hidden"))
	deliver(t, c, walletEvent("e2e-wallet"))
	must(t, expect.Locator(row(page, "e2e-wallet")).ToBeVisible())
	// The stream sends in id order, so the card event would have come first.
	must(t, expect.Locator(row(page, "e2e-hidden")).ToHaveCount(0))

	// Pause: nothing arrives; resume: the missed event is there.
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Pause"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Paused"))
	waitStreams(t, c, 0)
	deliver(t, c, walletEvent("e2e-while-paused"))
	must(t, expect.Locator(row(page, "e2e-while-paused")).ToHaveCount(0))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Resume"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Live"))
	must(t, expect.Locator(row(page, "e2e-while-paused")).ToBeVisible())
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))
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
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))

	for _, id := range []string{"full-1", "full-2", "full-3"} {
		deliver(t, c, cardEvent(id))
	}
	must(t, expect.Locator(row(page, "full-1")).ToBeVisible())
	must(t, expect.Locator(row(page, "full-2")).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Paused"))
	must(t, expect.Locator(page.GetByTestId("live-full")).ToContainText("2 new events were added live"))
	waitStreams(t, c, 0)
	must(t, expect.Locator(row(page, "full-3")).ToHaveCount(0))

	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Resume"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Live"))
	must(t, expect.Locator(row(page, "full-3")).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("live-full")).ToHaveCount(0))
}

// liveOpen is the event log's live control while its stream is open.
func liveOpen(page playwright.Page) playwright.Locator {
	return page.Locator(`#live-control[data-stream="open"]`)
}

// waitStreams waits until the console serves exactly n event streams: a
// stream the browser closed ends on the server a moment later.
func waitStreams(t *testing.T, c *console, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Streams() != n {
		if time.Now().After(deadline) {
			t.Fatalf("open event streams = %d, want %d", c.Streams(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEventLogOneStreamWhateverYouDo: a person filters ten times with Enter,
// pauses, resumes and goes back; the page keeps exactly one live stream, a
// live row still arrives, and another page of the console still loads (a
// leaked stream per filter used up the browser's six connections).
func TestEventLogOneStreamWhateverYouDo(t *testing.T) {
	c := startConsole(t)
	bc := newContext(t)
	page, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))

	op := page.GetByLabel("Operation", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)})
	for i := range 10 {
		value := fmt.Sprintf("OP%d", i)
		if i == 9 {
			value = "CARDS"
		}
		must(t, op.Fill(value))
		must(t, op.Press("Enter"))
		must(t, expect.Page(page).ToHaveURL(c.URL+"/events?operation="+value))
		must(t, expect.Locator(page.Locator(`#live-control[data-stream="open"][sse-connect*="operation=`+value+`"]`)).ToHaveCount(1))
	}
	waitStreams(t, c, 1)

	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Pause"}).Click())
	must(t, expect.Locator(page.GetByTestId("live-state")).ToHaveText("Paused"))
	waitStreams(t, c, 0)
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Resume"}).Click())
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))
	waitStreams(t, c, 1)

	// Back to the previous filter, as the browser's back button does.
	if _, err := page.GoBack(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events?operation=OP8"))
	must(t, expect.Locator(page.Locator("#event-filter")).ToHaveCount(1))
	must(t, expect.Locator(page.Locator(`#live-control[data-stream="open"][sse-connect*="operation=OP8"]`)).ToHaveCount(1))
	waitStreams(t, c, 1)
	if _, err := page.GoForward(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.Locator(`#live-control[data-stream="open"][sse-connect*="operation=CARDS"]`)).ToHaveCount(1))
	waitStreams(t, c, 1)

	deliver(t, c, cardEvent("after-ten-filters"))
	must(t, expect.Locator(row(page, "after-ten-filters")).ToBeVisible())

	other, err := bc.NewPage()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Goto(c.URL + "/cards"); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(other.GetByTestId("whoami")).ToHaveText("viewer"))
	waitStreams(t, c, 1)
}

// TestEventLogCardFilterByLast4: support types the last 4 a customer reads
// out; the log shows that card's events with the holder's name, live too.
func TestEventLogCardFilterByLast4(t *testing.T) {
	c := startSimConsole(t)
	anaEvent := func(opID string) string {
		return fmt.Sprintf(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":%q,"status":"PENDING","data":{"card_id":%q}}`, opID, e2eCardID)
	}
	deliver(t, c, anaEvent("ana-1"))
	deliver(t, c, cardEvent("someone-else"))
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	card := page.GetByLabel("Card or wallet", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)})
	must(t, card.Fill("4242"))
	must(t, card.Press("Enter"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events?card=4242"))
	must(t, expect.Locator(row(page, "someone-else")).ToHaveCount(0))
	must(t, expect.Locator(row(page, "ana-1")).ToContainText("Ana Browser •• 4242"))
	must(t, expect.Locator(page.Locator(`#live-control[data-stream="open"][sse-connect*="card=4242"]`)).ToHaveCount(1))
	deliver(t, c, cardEvent("someone-else-live"))
	deliver(t, c, anaEvent("ana-live"))
	must(t, expect.Locator(row(page, "ana-live")).ToContainText("Ana Browser •• 4242"))
	must(t, expect.Locator(row(page, "someone-else-live")).ToHaveCount(0))
	must(t, row(page, "ana-live").GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Ana Browser •• 4242"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards/"+e2eCardID))
}

// TestEventLogCardFilterByFullNumber: support pastes a customer's whole
// card number into the event log's card box; the log shows that card's
// events at an address that names the card's id, and the number is nowhere
// on the page, in the box or in the history.
func TestEventLogCardFilterByFullNumber(t *testing.T) {
	c := startConsole(t)
	const noraID = "22222222-3333-4444-8555-000000000002"
	pan := store.NewPAN("555555", func(int) string { return "123456789" })
	storetest.AddCard(t, c.Store, storetest.Card{ID: noraID, Holder: "Nora Number", PAN: pan})
	deliver(t, c, fmt.Sprintf(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"nora-1","status":"PENDING","data":{"card_id":%q}}`, noraID))
	deliver(t, c, cardEvent("someone-else"))
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	card := page.GetByLabel("Card or wallet", playwright.PageGetByLabelOptions{Exact: playwright.Bool(true)})
	must(t, card.Fill(pan[:4]+" "+pan[4:8]+" "+pan[8:12]+" "+pan[12:]))
	must(t, card.Press("Enter"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events?card="+noraID))
	must(t, expect.Locator(row(page, "nora-1")).ToContainText("Nora Number"))
	must(t, expect.Locator(row(page, "someone-else")).ToHaveCount(0))
	must(t, expect.Locator(card).ToHaveValue(noraID))
	html, err := page.Content()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(html, pan) || strings.Contains(html, pan[:4]+" "+pan[4:8]) {
		t.Error("the page shows the card number")
	}
	if _, err := page.GoBack(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.URL(), pan[6:12]) || strings.Contains(page.URL(), pan[:4]+"+"+pan[4:8]) {
		t.Errorf("the history holds the number: %s", page.URL())
	}
}
