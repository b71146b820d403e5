package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

const webhookSecretsSetting = "webhook_secrets"

// WebhookSecrets are the receiver's credentials: the provider's shared key
// (X-Webhook-Key) and the Standard Webhooks signing secret (whsec_...). After
// a rotation the previous pair keeps working until PreviousUntil.
type WebhookSecrets struct {
	Key            string    `json:"key"`
	Secret         string    `json:"secret"`
	PreviousKey    string    `json:"previous_key,omitempty"`
	PreviousSecret string    `json:"previous_secret,omitempty"`
	PreviousUntil  time.Time `json:"previous_until,omitzero"`
	RotatedAt      time.Time `json:"rotated_at,omitzero"`
}

// Keys returns the provider keys accepted at now: the current one and, during
// the overlap, the previous one.
func (w WebhookSecrets) Keys(now time.Time) []string {
	if w.PreviousKey != "" && now.Before(w.PreviousUntil) {
		return []string{w.Key, w.PreviousKey}
	}
	return []string{w.Key}
}

// Secrets returns the signing secrets accepted at now, like Keys.
func (w WebhookSecrets) Secrets(now time.Time) []string {
	if w.PreviousSecret != "" && now.Before(w.PreviousUntil) {
		return []string{w.Secret, w.PreviousSecret}
	}
	return []string{w.Secret}
}

// NewWebhookKey returns a fresh random provider key.
func NewWebhookKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "whk_" + hex.EncodeToString(b)
}

// NewWebhookSecret returns a fresh Standard Webhooks secret.
func NewWebhookSecret() string {
	b := make([]byte, 24)
	rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// WebhookSecrets returns the receiver's credentials, generating them on first
// use. A non-empty key or secret given by the operator (flag or environment)
// replaces the stored one.
func (s *Store) WebhookSecrets(ctx context.Context, key, secret string) (WebhookSecrets, error) {
	var out WebhookSecrets
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var raw []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, webhookSecretsSetting).Scan(&raw)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(raw, &out); err != nil {
				return err
			}
		}
		changed := false
		if out.Key == "" || (key != "" && key != out.Key) {
			out.Key, changed = cmp.Or(key, NewWebhookKey()), true
		}
		if out.Secret == "" || (secret != "" && secret != out.Secret) {
			out.Secret, changed = cmp.Or(secret, NewWebhookSecret()), true
		}
		if !changed {
			return nil
		}
		return putSettingJSON(ctx, tx, webhookSecretsSetting, out, s.nowMs())
	})
	if err != nil {
		return WebhookSecrets{}, fmt.Errorf("store: webhook secrets: %w", err)
	}
	return out, nil
}

// RotateWebhookSecrets replaces the key and secret with fresh ones; the old
// pair keeps working for overlap, so senders can switch without losing
// deliveries. Audited in the same transaction, on behalf of actor.
func (s *Store) RotateWebhookSecrets(ctx context.Context, overlap time.Duration, actor Actor) (WebhookSecrets, error) {
	var out WebhookSecrets
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var raw []byte
		if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, webhookSecretsSetting).Scan(&raw); err != nil {
			return err
		}
		var cur WebhookSecrets
		if err := json.Unmarshal(raw, &cur); err != nil {
			return err
		}
		now := s.now()
		out = WebhookSecrets{
			Key: NewWebhookKey(), Secret: NewWebhookSecret(),
			PreviousKey: cur.Key, PreviousSecret: cur.Secret, PreviousUntil: now.Add(overlap), RotatedAt: now,
		}
		if err := putSettingJSON(ctx, tx, webhookSecretsSetting, out, now.UnixMilli()); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, actor.audit(AuditWebhookRotate, "settings", WebhookSettingsTarget, ResultOK,
			"previous key and secret valid until "+out.PreviousUntil.UTC().Format("2006-01-02 15:04:05 UTC")))
	})
	if err != nil {
		return WebhookSecrets{}, fmt.Errorf("store: rotate webhook secrets: %w", err)
	}
	return out, nil
}

func putSettingJSON(ctx context.Context, tx *sql.Tx, key string, v any, now int64) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, raw, now)
	return err
}
