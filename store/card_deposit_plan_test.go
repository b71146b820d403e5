package store

import (
	"context"
	"strings"
	"testing"
)

// TestCardBalancesAndMovementsPlans: the balance chart's reads and the
// Movements page's reads of a card's transactions and deposits each search
// the table's (card_id, time, id) index, first page and later: no scan of
// either table and no temporary B-tree to sort.
func TestCardBalancesAndMovementsPlans(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	type query struct {
		name, q string
		args    []any
		index   string
	}
	qs := []query{}
	for i, q := range cardBalancesQueries(500) {
		qs = append(qs, query{name: "balances " + []string{"transactions", "deposits"}[i], q: q, args: []any{"c1"},
			index: []string{"card_transactions_card", "card_deposits_card"}[i]})
	}
	for _, after := range []MovementCursor{{}, {Datetime: 1_700_000_000_000, ID: "x"}} {
		q, args := cardMovementsQuery("card_transactions", movementCols, "datetime", "c1", after, 26)
		qs = append(qs, query{name: "movements transactions", q: q, args: args, index: "card_transactions_card"})
		q, args = cardMovementsQuery("card_deposits", depositCols, "at", "c1", after, 26)
		qs = append(qs, query{name: "movements deposits", q: q, args: args, index: "card_deposits_card"})
	}
	for _, q := range qs {
		plan, err := queryPlan(ctx, st, q.q, q.args)
		if err != nil {
			t.Fatalf("%s: %v\n%s", q.name, err, q.q)
		}
		text := strings.Join(plan, "\n")
		if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "SCAN ") || !strings.Contains(text, "USING INDEX "+q.index+" (card_id=?") {
			t.Errorf("%s: plan\n%s\nwant a search of %s on the card, no scan, no sort", q.name, text, q.index)
		}
	}
}
