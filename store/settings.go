package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value stored under key, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: setting %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting stores value under key, replacing any earlier value.
func (s *Store) SetSetting(ctx context.Context, key string, value []byte) error {
	_, err := s.exec(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		key, value, s.nowMs())
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", key, err)
	}
	return nil
}

// SecretKey returns the random key stored under name, generating and storing
// size random bytes on first use. Keys live in the database, never in source,
// so every installation has its own. The card-number key is not one of them:
// it must not sit beside the numbers it protects (see Options).
func (s *Store) SecretKey(ctx context.Context, name string, size int) ([]byte, error) {
	var key []byte
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, name).Scan(&key)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		key = make([]byte, size)
		rand.Read(key)
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)`, name, key, s.nowMs())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: secret key %s: %w", name, err)
	}
	return key, nil
}
