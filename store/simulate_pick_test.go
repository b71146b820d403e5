package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// The refund picker reads the card's clearings and refunds on the card's
// index alone, and lists what the query before it listed (each
// authorization looked up by id, its refunds by parent): partial refunds,
// full ones, a declined clearing, and another card's movements.
func TestSimRefundableAuthorizationsReadsTheCardsIndex(t *testing.T) {
	ctx := context.Background()
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	other := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	at := time.UnixMilli(1_790_000_000_000)
	st.SetClock(func() time.Time { return at })
	merchant := SimMerchant{Name: "Kiosk", Country: "ES", MCC: "5814"}
	step := func(card string, act, auth, amount string) SimResult {
		at = at.Add(time.Minute)
		return simOK(t, st, SimRequest{Action: act, CardID: card, AuthorizationID: auth, Amount: amount, Merchant: merchant})
	}
	for i, c := range []string{f.cardID, other.cardID} {
		a := step(c, ActAuthorize, "", "30")
		step(c, ActClearing, a.MovementID, "30")
		step(c, ActRefund, a.MovementID, "10") // 20 left
		b := step(c, ActAuthorize, "", "12")
		step(c, ActClearing, b.MovementID, "12")
		step(c, ActRefund, b.MovementID, "12") // nothing left
		if i == 0 {
			d := step(c, ActAuthorize, "", "5")
			step(c, ActClearing, d.MovementID, "5") // all left
			step(c, ActAuthorize, "", "7")          // not cleared
		}
	}
	const before = `SELECT id, datetime, bill, merchant, bill - refunded FROM (
		SELECT a.id, cl.datetime, cl.rowid AS clrow, cl.bill_amount_cents AS bill, cl.merchant_name AS merchant,
			COALESCE((SELECT SUM(r.bill_amount_cents) FROM card_transactions r WHERE r.parent_id = a.id AND r.operation = 'REFUND' AND r.status = 'SUCCESS'), 0) AS refunded
		FROM card_transactions cl JOIN card_transactions a ON a.id = cl.parent_id
		WHERE cl.card_id = ? AND cl.operation = 'CLEARING' AND cl.status = 'SUCCESS')
		WHERE bill > refunded
		ORDER BY datetime DESC, clrow DESC LIMIT ?`
	for _, card := range []string{f.cardID, other.cardID} {
		got, err := st.SimRefundableAuthorizations(ctx, card, 10)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := st.r.QueryContext(ctx, before, card, 10)
		if err != nil {
			t.Fatal(err)
		}
		want, err := scanSimAuthorizations(rows)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || len(want) == 0 {
			t.Errorf("card %s: refundable %+v, want %+v", card, got, want)
		}
	}
	if got, _ := st.SimRefundableAuthorizations(ctx, f.cardID, 10); len(got) != 2 || got[0].LeftCents != 5_00 || got[1].LeftCents != 20_00 {
		t.Errorf("refundable = %+v, want 5.00 then 20.00 left", got)
	}

	plan, err := queryPlan(ctx, st, simRefundableSQL, []any{f.cardID, 10})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "card_transactions USING INDEX card_transactions_card (card_id=?)") ||
		strings.Contains(text, "card_transactions_parent") || strings.Contains(text, "sqlite_autoindex_card_transactions") {
		t.Errorf("plan:\n%s\nwant the card's index alone", text)
	}
}
