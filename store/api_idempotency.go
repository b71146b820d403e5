package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// IdempotencyWindow is how long the first answer to a write call sent with
// an Idempotency-Key is replayed to retries.
const IdempotencyWindow = 24 * time.Hour

// IdempotentAnswer is the first answer to a write call with an
// Idempotency-Key.
type IdempotentAnswer struct {
	BodyHash []byte
	Status   int
	Body     []byte
}

// IdempotentAnswer returns the answer kept for the key's idempotency key
// within IdempotencyWindow, or ErrNotFound.
func (s *Store) IdempotentAnswer(ctx context.Context, keyID int64, idemKey string) (IdempotentAnswer, error) {
	var a IdempotentAnswer
	err := s.r.QueryRowContext(ctx, `SELECT body_hash, status, response FROM api_idempotency
		WHERE key_id = ? AND idem_key = ? AND created_at > ?`, keyID, s.storedIdemKey(idemKey), s.nowMs()-IdempotencyWindow.Milliseconds()).
		Scan(&a.BodyHash, &a.Status, &a.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: idempotency key: %w", ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: idempotency key: %w", err)
	}
	return a, nil
}

// SaveIdempotentAnswer keeps the first answer to a write call for
// IdempotencyWindow, replacing one that expired, and drops expired answers.
// The answer is kept with its card data masked (RedactCardData), the key as
// storedIdemKey makes it.
func (s *Store) SaveIdempotentAnswer(ctx context.Context, keyID int64, idemKey string, a IdempotentAnswer) error {
	now := s.nowMs()
	body := RedactCardData(a.Body)
	if body == nil { // an answer with no body (201) is kept as one
		body = []byte{}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_idempotency WHERE created_at <= ?`, now-IdempotencyWindow.Milliseconds()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_idempotency(key_id, idem_key, body_hash, status, response, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key_id, idem_key) DO NOTHING`, keyID, s.storedIdemKey(idemKey), a.BodyHash, a.Status, body, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: save idempotency key: %w", err)
	}
	return nil
}

// storedIdemKey is how an Idempotency-Key is kept and looked up: as sent,
// or, when a card number is written in it, as its keyed hash (HashPAN,
// with the key that is not beside the database), so that the same key
// still finds its answer and the number is not kept.
func (s *Store) storedIdemKey(k string) string {
	if !hasCardNumber(k) {
		return k
	}
	return "hmac:" + hex.EncodeToString(HashPAN(s.panKey, k))
}
