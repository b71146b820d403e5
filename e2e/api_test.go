package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestAPIDrivesSimulationsWatchedLive: an admin makes a level-2 API key on
// the API keys page and copies it; a card program's backend (a Go HTTP
// client) drives authorize → clearing → refund through the provider API,
// while support watches the event log, where the three notifications
// arrive live, and the request log, where the three calls arrive live.
func TestAPIDrivesSimulationsWatchedLive(t *testing.T) {
	c := startSimConsole(t)

	admin := newPage(t)
	signIn(t, admin, c.URL, "admin")
	must(t, admin.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Settings", Exact: playwright.Bool(true)}).Click())
	must(t, admin.GetByRole("link", playwright.PageGetByRoleOptions{Name: "API keys", Exact: playwright.Bool(true)}).Click())
	must(t, admin.GetByLabel("Name").Fill("qa-backend"))
	if _, err := admin.GetByLabel("Level").SelectOption(playwright.SelectOptionValues{Values: &[]string{"2"}}); err != nil {
		t.Fatal(err)
	}
	must(t, admin.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Make key"}).Click())
	must(t, expect.Locator(admin.GetByTestId("api-key-secret")).ToContainText("cok_"))
	key, err := admin.GetByTestId("api-key-secret").TextContent()
	if err != nil {
		t.Fatal(err)
	}
	key = strings.TrimSpace(key)

	events := newPage(t)
	signIn(t, events, c.URL, "viewer")
	if _, err := events.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(events.GetByTestId("live-state")).ToHaveText("Live"))
	calls := newPage(t)
	signIn(t, calls, c.URL, "operator")
	must(t, calls.GetByRole("link", playwright.PageGetByRoleOptions{Name: "API log", Exact: playwright.Bool(true)}).Click())
	// The request log announces its stream is open. Both streams start
	// after the newest row their page showed, so what is stored before they
	// connect is sent first: no wait is needed.
	must(t, expect.Locator(calls.GetByTestId("apilog-live")).ToHaveAttribute("data-stream", "open"))

	for _, step := range []struct{ path, body string }{
		{"/api/cards/webhook/simulate/authorize", `{"card_id":"` + e2eCardID + `","bill_amount":12.34}`},
		{"/api/cards/webhook/simulate/clearing", `{"card_id":"` + e2eCardID + `"}`},
		{"/api/cards/webhook/simulate/refund", `{"card_id":"` + e2eCardID + `","bill_amount":2.34}`},
	} {
		req, err := http.NewRequest(http.MethodPost, c.URL+step.path, strings.NewReader(step.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("x-api-key", key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Trace-Id") == "" {
			t.Fatalf("%s: status %d, trace id %q; want 201 with a trace id", step.path, resp.StatusCode, resp.Header.Get("X-Trace-Id"))
		}
	}

	rows := events.Locator("#event-rows tr")
	for _, op := range []string{"AUTHORIZATION", "CLEARING", "REFUND"} {
		must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: op})).ToHaveCount(1))
	}
	logRows := calls.Locator("#apilog-rows tr[data-api-request]")
	must(t, expect.Locator(logRows).ToHaveCount(3))
	must(t, expect.Locator(logRows.First()).ToContainText("/api/cards/webhook/simulate/refund"))
	must(t, expect.Locator(logRows.First()).ToContainText("qa-backend"))
	must(t, expect.Locator(logRows.First()).ToContainText("201"))
	must(t, expect.Locator(logRows.Last()).ToContainText("/api/cards/webhook/simulate/authorize"))

	// The call opens to its bodies; the card reflects the three calls.
	must(t, logRows.First().GetByRole("link").First().Click())
	must(t, expect.Locator(calls.GetByTestId("apilog-request")).ToContainText(`"bill_amount":2.34`))
	if _, err := calls.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(calls.GetByTestId("card-balance")).ToHaveText("90.00 USD"))
}
