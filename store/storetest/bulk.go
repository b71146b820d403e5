package storetest

import (
	"context"
	"fmt"

	"cardops/store"
)

// BulkCards adds n plain cards in one statement, for benchmarks that need a
// store of realistic size around the cards they look at. The name search
// index is not built for them (its triggers are set aside while they are
// written): a search by name does not find them.
func BulkCards(ctx context.Context, st *store.Store, n int) error {
	tx, err := st.Writer().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	before, after := store.CardSearchBulkLoad()
	for _, q := range before {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("storetest: bulk cards: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO cards (id, card_holder_name, name_norm, type, bin, last4, exp_month, exp_year, status,
			approval_method, balance_cents, created_at, updated_at)
		SELECT printf('bulk-%08d', i), 'Bulk Holder ' || i, 'bulk holder ' || i, 'VIRTUAL', '424242',
			printf('%04d', i % 10000), 12, 2029, 'ACTIVE', 'NONE', 0, 1700000000000, 1700000000000 FROM seq`, n); err != nil {
		return fmt.Errorf("storetest: bulk cards: %w", err)
	}
	// The triggers only: rebuilding the name index for n cards is what
	// this skips.
	for _, q := range after[:len(after)-1] {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("storetest: bulk cards: %w", err)
		}
	}
	return tx.Commit()
}
