package store

import (
	"context"
	"strings"
	"testing"
)

// TestCardNumbersPlanReadsOnlyItsIndex: the card page's number history
// reads card_numbers_card alone, in its order (at 10M cards each table
// row it read besides was one more random page from the disk).
func TestCardNumbersPlanReadsOnlyItsIndex(t *testing.T) {
	plan, err := queryPlan(context.Background(), openTestStore(t), cardNumbersQuery, []any{"c1"})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if len(plan) != 1 || !strings.Contains(text, "USING COVERING INDEX card_numbers_card (card_id=?)") {
		t.Errorf("plan\n%s\nwant only a search of the covering index card_numbers_card on the card, no sort", text)
	}
}
