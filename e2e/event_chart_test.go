package e2e

import (
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestEventLogChartFollowsTheLiveTail: the event log's charts count the
// notifications; one arriving while the page is open is counted without a
// reload, and the figures are there as a table too.
func TestEventLogChartFollowsTheLiveTail(t *testing.T) {
	c := startConsole(t)
	deliver(t, c, cardEvent("e2e-chart-1"))
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Events", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.Locator("#chart-hour-desc")).ToHaveText("1 notification in the last hour, by status; the table below gives each figure."))
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))

	deliver(t, c, walletEvent("e2e-chart-2"))
	must(t, expect.Locator(row(page, "e2e-chart-2")).ToBeVisible())
	must(t, expect.Locator(page.Locator("#chart-hour-desc")).ToHaveText("2 notifications in the last hour, by status; the table below gives each figure."))
	must(t, expect.Locator(page.Locator("#chart-day-desc")).ToContainText("2 notifications in the last 24 hours"))

	// The figures as a table, for anyone who wants the numbers.
	must(t, page.Locator("#chart-hour summary").Click())
	must(t, expect.Locator(page.Locator("#chart-hour table caption")).ToHaveText("Notifications per minute, last hour (UTC)"))
	must(t, expect.Locator(page.Locator("#chart-hour table tbody tr")).ToHaveCount(60))
}

// TestEventLogChartCountsWhatCameWhileItFetched: notifications that arrive
// while the charts are fetching themselves are counted too. The charts'
// fetch is answered by the server at once and handed to the page only
// after another notification has reached the page's stream; the charts
// must still end up counting it.
func TestEventLogChartCountsWhatCameWhileItFetched(t *testing.T) {
	c := startConsole(t)
	deliver(t, c, cardEvent("e2e-fetching-1"))
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(liveOpen(page)).ToHaveCount(1))
	hour := page.Locator("#chart-hour-desc")
	must(t, expect.Locator(hour).ToHaveText("1 notification in the last hour, by status; the table below gives each figure."))

	// The charts' next fetch: answered at once, handed over late.
	fetched, release := holdNextAnswer(t, page, "**/events/chart*")
	deliver(t, c, cardEvent("e2e-fetching-2"))
	waitFor(t, fetched, "the charts fetching themselves after a notification")
	deliver(t, c, walletEvent("e2e-fetching-3"))
	must(t, expect.Locator(row(page, "e2e-fetching-3")).ToBeVisible()) // the stream has brought it
	close(release)
	must(t, expect.Locator(hour).ToHaveText("3 notifications in the last hour, by status; the table below gives each figure.",
		playwright.LocatorAssertionsToHaveTextOptions{Timeout: playwright.Float(20_000)}))
}
