package views

import (
	"testing"

	"cardops/store"
)

func TestCountTextSaysALowerBound(t *testing.T) {
	for _, tc := range []struct {
		r    store.CardSearchResult
		want string
	}{
		{store.CardSearchResult{Count: 1}, "1 card"},
		{store.CardSearchResult{Count: 707}, "707 cards"},
		{store.CardSearchResult{Count: 707, CountCapped: true}, "at least 700 cards"},
		{store.CardSearchResult{Count: 1000, CountCapped: true}, "at least 1,000 cards"},
		{store.CardSearchResult{Count: 12, CountCapped: true}, "at least 12 cards"},
	} {
		if got := countText(tc.r); got != tc.want {
			t.Errorf("countText(%d, capped %v) = %q, want %q", tc.r.Count, tc.r.CountCapped, got, tc.want)
		}
	}
}
