package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"cardops/store/storetest"
	"cardops/views"
)

// TestCardDepositOnCardPageAsOperator: a deposit made with the card page's
// Simulate button is on the card page: the balance chart's last point
// (caption and table) is the card's balance after it, and Movements lists
// it with the USD credited and its fee.
func TestCardDepositOnCardPageAsOperator(t *testing.T) {
	e := newTestEnv(t)
	id := storetest.AddCard(t, e.store, storetest.Card{Holder: "Dee Posit", Balance: 1_150_00, Movements: []storetest.Movement{
		{At: 1_700_000_000_000, Amount: 50_00, NewBalance: 1_200_00},
		{At: 1_700_000_060_000, Amount: 50_00, NewBalance: 1_150_00},
	}})
	for _, sc := range []scenario{
		{name: "deposit to card 25", method: http.MethodPost, url: "/cards/" + id + "/simulate/deposit-card", as: 2,
			form: url.Values{"amount": {"25"}}, wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards/" + id},
			wantAudit: []string{"simulate.deposit-card ok"}},
		{name: "the card page tells the deposit", method: http.MethodGet, url: "/cards/" + id, as: 1, wantStatus: http.StatusOK,
			wantContains: []string{
				"1,174.48 USD",
				// The chart's caption and the last row of its table.
				` to 1,174.48 USD on `,
				`<td>1,174.48</td></tr></tbody>`,
				// Movements: the deposit, newest, with what it credited.
				`<td>DEPOSIT</td>`, `Deposit to the card`, `fee 0.52 USD`, `<td class="num">25.00 USDC</td><td class="num">24.48 USD</td><td class="num">1,174.48 USD</td>`,
			}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, e) })
	}
	card, err := e.store.CardByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	chart, err := e.server.balanceChart(context.Background(), card)
	if err != nil || len(chart.Points) != 3 || chart.Points[2].Value != card.BalanceCents {
		t.Errorf("chart points = %+v, %v; want 3 ending at the card's balance %s", chart.Points, err, views.FormatCents(card.BalanceCents, "USD"))
	}
}
