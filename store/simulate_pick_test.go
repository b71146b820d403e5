package store

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

// newPickFixture opens a store with two cards and returns a step that
// simulates an action on one of them, a minute after the step before.
func newPickFixture(t *testing.T) (st *Store, f, other simFixture, step func(card, act, auth, amount string) SimResult) {
	st = openSimStore(t)
	f = addSimCard(t, st, "ACTIVE", 1000_00, nil)
	other = addSimCard(t, st, "ACTIVE", 1000_00, nil)
	at := time.UnixMilli(1_790_000_000_000)
	st.SetClock(func() time.Time { return at })
	merchant := SimMerchant{Name: "Kiosk", Country: "ES", MCC: "5814"}
	step = func(card, act, auth, amount string) SimResult {
		at = at.Add(time.Minute)
		return simOK(t, st, SimRequest{Action: act, CardID: card, AuthorizationID: auth, Amount: amount, Merchant: merchant})
	}
	return st, f, other, step
}

// checkReadsTheCardsIndex fails the test unless the picker's query reads
// the card's movements on the card's index alone.
func checkReadsTheCardsIndex(t *testing.T, st *Store, query, cardID string) {
	t.Helper()
	plan, err := queryPlan(context.Background(), st, query, []any{cardID, 10})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "card_transactions USING INDEX card_transactions_card (card_id=?)") ||
		strings.Contains(text, "card_transactions_parent") || strings.Contains(text, "sqlite_autoindex_card_transactions") {
		t.Errorf("plan:\n%s\nwant the card's index alone", text)
	}
}

// The refund picker reads the card's clearings and refunds on the card's
// index alone, and lists what the query before it listed (each
// authorization looked up by id, its refunds by parent): partial refunds,
// full ones, a declined clearing, and another card's movements.
func TestSimRefundableAuthorizationsReadsTheCardsIndex(t *testing.T) {
	ctx := context.Background()
	st, f, other, step := newPickFixture(t)
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

	checkReadsTheCardsIndex(t, st, simRefundableSQL, f.cardID)
}

// The open-authorization picker reads the card's movements on the card's
// index alone, and lists what the same rule asked of each authorization by
// parent lists: open ones, cleared, reversed in full, reversed in part
// (open, with what it still holds), reversed in two parts that make the
// whole, declined, one whose clearing failed, and another card's.
func TestSimOpenAuthorizationsReadsTheCardsIndex(t *testing.T) {
	ctx := context.Background()
	st, f, other, step := newPickFixture(t)
	var failedClearingOf string
	for i, c := range []string{f.cardID, other.cardID} {
		step(c, ActAuthorize, "", "30") // open
		b := step(c, ActAuthorize, "", "12")
		step(c, ActClearing, b.MovementID, "12")
		d := step(c, ActAuthorize, "", "5")
		step(c, ActReversal, d.MovementID, "")
		step(c, ActDecline, "", "9")
		if i == 0 {
			failedClearingOf = step(c, ActAuthorize, "", "7").MovementID // its clearing failed: open
			step(c, ActAuthorize, "", "8")                               // open
			p := step(c, ActAuthorize, "", "25")
			step(c, ActReversal, p.MovementID, "10") // 15.00 still held: open
			w := step(c, ActAuthorize, "", "6")
			step(c, ActReversal, w.MovementID, "4")
			step(c, ActReversal, w.MovementID, "2") // released in full
		}
	}
	if _, err := st.w.ExecContext(ctx, `INSERT INTO card_transactions(id, card_id, parent_id, datetime, operation, status,
		bill_amount_cents, bill_currency, transaction_amount_cents, transaction_currency, exchange_rate,
		merchant_name, merchant_city, merchant_country, merchant_mcc, original_balance_cents, new_balance_cents,
		decline_code, decline_description, source_operation_id)
		SELECT 'failed-clearing', card_id, id, datetime + 1, 'CLEARING', 'FAILED', bill_amount_cents, bill_currency,
		transaction_amount_cents, transaction_currency, exchange_rate, merchant_name, merchant_city, merchant_country,
		merchant_mcc, new_balance_cents, new_balance_cents, decline_code, decline_description, source_operation_id
		FROM card_transactions WHERE id = ?`, failedClearingOf); err != nil {
		t.Fatal(err)
	}
	const before = `SELECT id, datetime, bill, merchant_name, bill - reversed FROM (
		SELECT a.rowid AS rid, a.id, a.datetime, a.bill_amount_cents AS bill, a.merchant_name,
			COALESCE((SELECT SUM(x.bill_amount_cents) FROM card_transactions x WHERE x.parent_id = a.id
				AND x.operation = 'REVERSAL' AND x.status = 'SUCCESS'), 0) AS reversed
		FROM card_transactions a
		WHERE a.card_id = ? AND a.operation = 'AUTHORIZATION' AND a.status != 'FAILED'
		AND NOT EXISTS (SELECT 1 FROM card_transactions x WHERE x.parent_id = a.id
			AND x.operation = 'CLEARING' AND x.status = 'SUCCESS'))
		WHERE bill > reversed ORDER BY datetime DESC, rid DESC LIMIT ?`
	for _, tc := range []struct {
		card  string
		limit int
		n     int
	}{{f.cardID, 10, 4}, {f.cardID, 2, 2}, {other.cardID, 10, 1}} {
		got, err := st.SimOpenAuthorizations(ctx, tc.card, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := st.r.QueryContext(ctx, before, tc.card, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		want, err := scanSimAuthorizations(rows)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) || len(want) != tc.n {
			t.Errorf("card %s limit %d: open %+v, want %+v (%d)", tc.card, tc.limit, got, want, tc.n)
		}
	}

	if got, _ := st.SimOpenAuthorizations(ctx, f.cardID, 10); len(got) == 0 || got[0].AmountCents != 25_00 || got[0].LeftCents != 15_00 {
		t.Errorf("newest open = %+v, want the 25.00 authorization with 15.00 still held", got)
	}
	checkReadsTheCardsIndex(t, st, simOpenSQL, f.cardID)
}
