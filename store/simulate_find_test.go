package store_test

import (
	"context"
	"testing"

	"cardops/store/storetest"
)

// TestSimFindTakesWildcardsLiterally: the Simulate page's pickers read % and
// _ typed in their box as those characters, not as "anything".
func TestSimFindTakesWildcardsLiterally(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	storetest.AddWallet(t, st, storetest.Wallet{Alias: "Promo 50%_off", Kind: "VIRTUAL"})
	storetest.AddWallet(t, st, storetest.Wallet{Alias: "Promo 5000 off", Kind: "VIRTUAL"})
	for q, want := range map[string]int{"50%_": 1, "50": 2, "%": 1, "_": 1} {
		ws, err := st.SimFindWallets(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ws) != want {
			t.Errorf("wallets for %q: %d, want %d", q, len(ws), want)
		}
	}
	storetest.AddCard(t, st, storetest.Card{Holder: "Ana Lopez"})
	for _, q := range []string{"%", "a_a"} {
		cs, err := st.SimFindCards(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 0 {
			t.Errorf("cards for %q: %d, want none (no name holds it)", q, len(cs))
		}
	}
}
