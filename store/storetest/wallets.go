package storetest

import (
	"cmp"
	"context"
	"fmt"
	"testing"

	"cardops/store"
)

// Wallet describes a wallet to add. Zero fields get plain defaults (a random
// id and address, VIRTUAL, POLYGON, enabled).
type Wallet struct {
	ID       string
	Alias    string
	Kind     string // HOLDING, CARD or VIRTUAL
	Address  string
	Disabled bool
	// Balances are cents per token symbol (USDC, USDT).
	Balances map[string]int64
}

// AddWallet writes w with its balances in one transaction and returns its id.
func AddWallet(t testing.TB, st *store.Store, w Wallet) string {
	t.Helper()
	w.ID = cmp.Or(w.ID, NewID())
	ctx := context.Background()
	tx, err := st.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO wallets(id, alias, client_id, address, blockchain, kind, enabled, created_at)
		VALUES (?, ?, 'c', ?, 'POLYGON', ?, ?, 1700000000000)`, w.ID, cmp.Or(w.Alias, "Wallet"),
		cmp.Or(w.Address, "0x"+fmt.Sprintf("%x", randBytes(20))), cmp.Or(w.Kind, "VIRTUAL"), !w.Disabled); err != nil {
		t.Fatalf("storetest: add wallet %s: %v", w.ID, err)
	}
	for symbol, cents := range w.Balances {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wallet_balances(wallet_id, symbol, name, token_address, balance_cents)
			VALUES (?, ?, ?, '0x1', ?)`, w.ID, symbol, tokenNames[symbol], cents); err != nil {
			t.Fatalf("storetest: add wallet %s balance: %v", w.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return w.ID
}

var tokenNames = map[string]string{"USDC": "USD Coin", "USDT": "Tether USD"}
