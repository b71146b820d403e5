package store_test

import (
	"context"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

// TestCardDepositIsAMovement: a deposit made through Simulate is one of the
// card's movements (newest first among its transactions, the USD credited,
// the fee kept and the balance after), a failed one too with nothing
// credited, and the balance chart's last point is the card's balance after
// the deposit.
func TestCardDepositIsAMovement(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	id := storetest.AddCard(t, st, storetest.Card{Holder: "Dee Posit", Balance: 1_150_00, Movements: []storetest.Movement{
		{At: 1_700_000_000_000, Amount: 50_00, NewBalance: 1_200_00},
		{At: 1_700_000_060_000, Amount: 50_00, NewBalance: 1_150_00},
	}})
	by := store.SimActor{Name: "operator", Level: store.LevelOperational, RemoteAddr: "127.0.0.1"}
	res, err := st.Simulate(ctx, store.SimRequest{Action: store.ActDepositCard, CardID: id, Amount: "25", By: by})
	if err != nil {
		t.Fatalf("deposit: %v", err)
	}
	card, err := st.CardByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if card.BalanceCents != 1_174_48 || res.Balance != card.BalanceCents {
		t.Fatalf("balance = %d (result %d), want 117448", card.BalanceCents, res.Balance)
	}
	ms, _, err := st.CardMovements(ctx, id, store.MovementCursor{}, 10)
	if err != nil || len(ms) != 3 {
		t.Fatalf("movements = %+v, %v; want the deposit and the 2 transactions", ms, err)
	}
	d := ms[0]
	if d.Operation != store.OperationDeposit || d.Status != "SUCCESS" || d.TxAmountCents != 25_00 || d.TxCurrency != "USDC" ||
		d.BillAmountCents != 24_48 || d.FeeDepositCents != 52 || d.OriginalBalance != 1_150_00 || d.NewBalance != 1_174_48 ||
		d.SourceOperationID != res.Outbox.OperationID || d.TxHash == "" {
		t.Errorf("newest movement = %+v, want the deposit of 25 USDC crediting 24.48 USD to 1,174.48", d)
	}
	ps, err := st.CardBalances(ctx, id, 500)
	if err != nil || len(ps) != 3 || ps[len(ps)-1].Balance != card.BalanceCents {
		t.Errorf("balances = %+v, %v; want 3 points ending at the card's balance %d", ps, err, card.BalanceCents)
	}
	// The chart's limit keeps the newest: the deposit and the last transaction.
	if ps, err := st.CardBalances(ctx, id, 2); err != nil || len(ps) != 2 || ps[0].Balance != 1_150_00 || ps[1].Balance != 1_174_48 {
		t.Errorf("balances(2) = %+v, %v; want 1150.00 then 1174.48", ps, err)
	}

	if _, err := st.Simulate(ctx, store.SimRequest{Action: store.ActDepositCard, CardID: id, Amount: "30", Outcome: "FAILED",
		Reason: "chain reorg", By: by}); err != nil {
		t.Fatalf("failed deposit: %v", err)
	}
	ms, _, err = st.CardMovements(ctx, id, store.MovementCursor{}, 10)
	if err != nil || len(ms) != 4 || ms[0].Operation != store.OperationDeposit || ms[0].Status != "FAILED" ||
		ms[0].NewBalance != 1_174_48 || ms[0].OriginalBalance != 1_174_48 || ms[0].DeclineDescription != "chain reorg" {
		t.Errorf("movements = %+v, %v; want the failed deposit newest, crediting nothing, with its reason", ms, err)
	}
	// Paging walks both kinds: one at a time, every movement once, in order.
	var seen []string
	cur := store.MovementCursor{}
	for range 10 {
		page, next, err := st.CardMovements(ctx, id, cur, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			seen = append(seen, m.ID)
		}
		if next.IsZero() {
			break
		}
		cur = next
	}
	if len(seen) != 4 || seen[0] != ms[0].ID || seen[1] != ms[1].ID || seen[3] != ms[3].ID {
		t.Errorf("paged ids = %v, want %v", seen, []string{ms[0].ID, ms[1].ID, ms[2].ID, ms[3].ID})
	}
}
