package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cardops/store/storetest"
)

// chartYLabels returns the y axis' labels of the chart with id in body,
// bottom first.
func chartYLabels(t *testing.T, body, id string) []string {
	t.Helper()
	i := strings.Index(body, `<figure class="chart" id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no chart %q in the page", id)
	}
	axis := between(body[i:], `<g class="axis y" aria-hidden="true">`, `</g>`)
	var out []string
	for _, m := range regexp.MustCompile(`>([^<]*)</text>`).FindAllStringSubmatch(axis, -1) {
		out = append(out, m[1])
	}
	return out
}

func wantYLabels(id string, want ...string) func(*testing.T, *testEnv, *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *testEnv, rec *httptest.ResponseRecorder) {
		t.Helper()
		if got := chartYLabels(t, rec.Body.String(), id); !slices.Equal(got, want) {
			t.Errorf("%s: y axis labels = %q, want %q", id, got, want)
		}
	}
}

// TestEventChartNiceTicks: 37 notifications in one minute make the
// minute chart's y axis count in tens (it read 0, 12, 25, 37, 50).
func TestEventChartNiceTicks(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	// Every notification in one minute and one hour, whenever the test runs.
	at := time.Now().UTC().Truncate(time.Hour).Add(30*time.Minute + 30*time.Second)
	e.server.now = func() time.Time { return at }
	for i := range 37 {
		if rec := e.deliver(chartNotification(fmt.Sprintf("nice-%d", i), "CARDS", "SUCCESS"), providerHeaders(testWebhookKey, at)); rec.Code != http.StatusOK {
			t.Fatalf("deliver: status %d, %s", rec.Code, rec.Body.String())
		}
	}
	few := newTestEnv(t, withWebhookCreds)
	few.server.now = func() time.Time { return at }
	for i := range 3 {
		if rec := few.deliver(chartNotification(fmt.Sprintf("few-%d", i), "CARDS", "SUCCESS"), providerHeaders(testWebhookKey, at)); rec.Code != http.StatusOK {
			t.Fatalf("deliver: status %d, %s", rec.Code, rec.Body.String())
		}
	}
	empty := newTestEnv(t)
	for _, tc := range []struct {
		e  *testEnv
		sc scenario
	}{
		{e, scenario{name: "37 in a minute: steps of 10", method: http.MethodGet, url: "/events/chart", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<desc id="chart-hour-desc">37 notifications in the last hour`},
			after:        simAll(wantYLabels("chart-hour", "0", "10", "20", "30", "40"), wantYLabels("chart-day", "0", "10", "20", "30", "40"))}},
		{few, scenario{name: "3 in a minute: whole counts", method: http.MethodGet, url: "/events/chart", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<desc id="chart-hour-desc">3 notifications in the last hour`},
			after:        wantYLabels("chart-hour", "0", "1", "2", "3", "4")}},
		{empty, scenario{name: "none: whole counts still", method: http.MethodGet, url: "/events/chart", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<desc id="chart-hour-desc">0 notifications in the last hour`},
			after:        wantYLabels("chart-hour", "0", "1", "2", "3", "4")}},
	} {
		t.Run(tc.sc.name, func(t *testing.T) { tc.sc.run(t, tc.e) })
	}
}

// TestCardBalanceChartTicks: the balance chart's y axis steps by 1, 2 or 5
// times a power of ten (it named the lowest, middle and highest balance).
func TestCardBalanceChartTicks(t *testing.T) {
	ms, card := chartMovementsAt(t)
	const id = "22222222-2222-4333-8444-555555555555"
	runScenarios(t, []scenario{
		{
			name: "nice balance ticks", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			before: card(id, storetest.Movement{At: ms("2025-05-01 10:00"), Amount: 1000, NewBalance: 74_000},
				storetest.Movement{At: ms("2025-05-02 10:00"), Amount: 1234, NewBalance: 72_766}),
			wantContains: []string{`id="balance-chart"`},
			after:        wantYLabels("balance-chart", "0.00", "200.00", "400.00", "600.00", "800.00"),
		},
		{
			name: "a negative balance: ticks below zero too", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			before: card(id, storetest.Movement{At: ms("2025-05-01 10:00"), Amount: 1000, NewBalance: -3_000},
				storetest.Movement{At: ms("2025-05-02 10:00"), Amount: 1234, NewBalance: 9_000}),
			wantContains: []string{`id="balance-chart"`},
			after:        wantYLabels("balance-chart", "-50.00", "0.00", "50.00", "100.00"),
		},
	})
}

// TestCardBalanceChartYear: the balance chart's time axis carries the year
// once the movements cross into another year or span most of one (a card
// from 2022 to 2025 read "26 Oct … 11 May").
func TestCardBalanceChartYear(t *testing.T) {
	ms, card := chartMovementsAt(t)
	const id = "22222222-2222-4333-8444-555555555555"
	runScenarios(t, []scenario{
		{
			name: "2022 to 2025: dates with their year", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			before: card(id, storetest.Movement{At: ms("2022-10-26 09:00"), Amount: 1000, NewBalance: 10_000},
				storetest.Movement{At: ms("2025-05-11 09:00"), Amount: 1000, NewBalance: 9_000}),
			wantContains: []string{`text-anchor="start">26 Oct 2022</text>`, `text-anchor="end">11 May 2025</text>`},
		},
		{
			name: "across new year in hours: date, year and time", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			before: card(id, storetest.Movement{At: ms("2025-12-31 23:00"), Amount: 1000, NewBalance: 10_000},
				storetest.Movement{At: ms("2026-01-01 01:30"), Amount: 1000, NewBalance: 9_000}),
			wantContains: []string{`text-anchor="start">31 Dec 2025 23:00</text>`, `text-anchor="end">1 Jan 2026 01:30</text>`},
		},
		{
			name: "most of one year: with the year", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			before: card(id, storetest.Movement{At: ms("2025-01-03 09:00"), Amount: 1000, NewBalance: 10_000},
				storetest.Movement{At: ms("2025-12-20 09:00"), Amount: 1000, NewBalance: 9_000}),
			wantContains: []string{`text-anchor="start">3 Jan 2025</text>`, `text-anchor="end">20 Dec 2025</text>`},
		},
		{
			name: "a few months of one year: day and month", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			before: card(id, storetest.Movement{At: ms("2025-03-03 09:00"), Amount: 1000, NewBalance: 10_000},
				storetest.Movement{At: ms("2025-06-20 09:00"), Amount: 1000, NewBalance: 9_000}),
			wantContains: []string{`text-anchor="start">3 Mar</text>`, `text-anchor="end">20 Jun</text>`},
		},
	})
}

// chartMovementsAt returns ms, which reads a UTC time as "2006-01-02 15:04"
// in Unix ms, and card, a before hook adding the card id with movements.
func chartMovementsAt(t *testing.T) (func(string) int64, func(string, ...storetest.Movement) func(*testing.T, *testEnv)) {
	ms := func(s string) int64 {
		at, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return at.UnixMilli()
	}
	card := func(id string, mv ...storetest.Movement) func(*testing.T, *testEnv) {
		return func(t *testing.T, e *testEnv) {
			storetest.AddCard(t, e.store, storetest.Card{ID: id, Holder: "Chart Axes", Movements: mv})
		}
	}
	return ms, card
}
