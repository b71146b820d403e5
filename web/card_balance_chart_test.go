package web

import (
	"net/http"
	"testing"

	"cardops/store/storetest"
)

// TestCardBalanceChart: the card page draws the balance over time from the
// movements' new balances, oldest first, with a title, a description, axes
// and the figures as a table; a card without movements says so.
func TestCardBalanceChart(t *testing.T) {
	e := newTestEnv(t)
	id := storetest.AddCard(t, e.store, storetest.Card{Holder: "Chart Balance", Movements: []storetest.Movement{
		{At: 1_700_000_000_000, Amount: 1000, NewBalance: 50_000},
		{At: 1_700_000_060_000, Amount: 2000, NewBalance: 48_000},
		{At: 1_700_000_120_000, Amount: -500, NewBalance: 48_500},
	}})
	empty := storetest.AddCard(t, e.store, storetest.Card{Holder: "No Movements"})
	rich := storetest.AddCard(t, e.store, storetest.Card{Holder: "Chart Rich", Movements: []storetest.Movement{
		{At: 1_700_000_000_000, Amount: 1000, NewBalance: 9_000_000},
		{At: 1_700_000_060_000, Amount: 1000, NewBalance: 10_000_000},
	}})
	for _, sc := range []scenario{
		{name: "balance chart", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			wantContains: []string{
				`<figure class="chart" id="balance-chart"`,
				`role="img" aria-labelledby="balance-chart-svg-title balance-chart-desc"`,
				`<title id="balance-chart-svg-title">Balance over time (USD)</title>`,
				`<desc id="balance-chart-desc">The balance after each of the card&#39;s last 3 movements, from 500.00 USD on 14 Nov 2023 22:13 to 485.00 USD on 14 Nov 2023 22:15 (UTC).</desc>`,
				`<g class="axis y" aria-hidden="true">`,
				// Each movement steps the line: across at the old balance, then to the new.
				`<polyline class="line" fill="none" points="53.0,10.0 342.5,10.0 342.5,15.7 632.0,15.7 632.0,14.3 "></polyline>`,
				// The first and last times sit inside the drawing.
				`<text x="53.0" y="168" text-anchor="start">14 Nov 22:13</text>`, `<text x="632.0" y="168" text-anchor="end">14 Nov 22:15</text>`,
				`<tr><th scope="row">2023-11-14 22:13:20</th><td>500.00</td></tr><tr><th scope="row">2023-11-14 22:14:20</th><td>480.00</td></tr>`,
			}},
		{name: "wide amounts move the axis right, so no label is cut", method: http.MethodGet, url: "/cards/" + rich, as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<line x1="79.0" x2="632"`, `<text x="73.0" y="10.0" text-anchor="end" dominant-baseline="middle">100,000.00</text>`}},
		{name: "no movements", method: http.MethodGet, url: "/cards/" + empty, as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`id="balance-chart"`, `No movements yet.`}, wantNotContains: []string{`<polyline`}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, e) })
	}
}
