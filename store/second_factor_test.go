package store

import (
	"context"
	"database/sql"
	"fmt"
)

// VerifySecondFactor checks a second factor as CheckSecondFactor does and
// spends it on its own, for the tests of what makes a code single use. It
// returns "totp" or "recovery".
func (s *Store) VerifySecondFactor(ctx context.Context, userID int64, code string) (string, error) {
	f, err := s.CheckSecondFactor(ctx, userID, code)
	if err != nil {
		return "", err
	}
	if err := s.inTx(ctx, func(tx *sql.Tx) error { return f.spendTx(ctx, tx, s.nowMs()) }); err != nil {
		return "", fmt.Errorf("store: second factor of user %d: %w", userID, err)
	}
	return f.Method, nil
}
