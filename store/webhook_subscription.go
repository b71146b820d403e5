package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// webhookSubscriptionSetting holds the provider API's webhook subscription.
const webhookSubscriptionSetting = "webhook_subscription"

// WebhookSubscription is where a card program asked, through the provider
// API, for its notifications to go, and the key they carry.
type WebhookSubscription struct {
	URL string `json:"url"`
	Key string `json:"webhook_key"`
}

// Validate reports which fields are wrong: url (required, invalid: not an
// http or https URL), webhook_key (required, too long).
func (w WebhookSubscription) Validate() FieldErrors {
	errs := FieldErrors{}
	u, err := url.Parse(w.URL)
	switch {
	case strings.TrimSpace(w.URL) == "":
		errs["url"] = FieldRequired
	case len(w.URL) > 2000:
		errs["url"] = FieldTooLong
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs["url"] = FieldInvalid
	}
	switch {
	case strings.TrimSpace(w.Key) == "":
		errs["webhook_key"] = FieldRequired
	case len(w.Key) > 200:
		errs["webhook_key"] = FieldTooLong
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// CurrentWebhookSubscription returns the subscription, or ErrNotFound when
// none was made.
func (s *Store) CurrentWebhookSubscription(ctx context.Context) (WebhookSubscription, error) {
	var sub WebhookSubscription
	raw, err := s.Setting(ctx, webhookSubscriptionSetting)
	if err != nil {
		return sub, err
	}
	if err := json.Unmarshal(raw, &sub); err != nil {
		return sub, fmt.Errorf("store: webhook subscription: %w", err)
	}
	return sub, nil
}

// SubscribeWebhook replaces where notifications are delivered and the key
// they carry, audited in the same transaction (the key itself is not
// written to the audit log). Invalid input is FieldErrors.
func (s *Store) SubscribeWebhook(ctx context.Context, sub WebhookSubscription, actor Actor) error {
	if errs := sub.Validate(); errs != nil {
		return fmt.Errorf("store: subscribe webhook: %w", errs)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		old := "the default target"
		var raw []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, webhookSubscriptionSetting).Scan(&raw)
		if err == nil {
			var prev WebhookSubscription
			if json.Unmarshal(raw, &prev) == nil {
				old = prev.URL
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := putSettingJSON(ctx, tx, webhookSubscriptionSetting, sub, s.nowMs()); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, actor.audit(AuditWebhookSubscribe, "settings", WebhookSettingsTarget, ResultOK,
			fmt.Sprintf("notifications go to %s (were going to %s); key replaced", Cut(sub.URL, 300), Cut(old, 300))))
	})
	if err != nil {
		return fmt.Errorf("store: subscribe webhook: %w", err)
	}
	return nil
}

// ClearWebhookSubscription ends the subscription an API key made: from the
// next delivery on, notifications go to the console's own target again,
// under its scheme. Audited in the same transaction; ErrNotFound when there
// is none.
func (s *Store) ClearWebhookSubscription(ctx context.Context, actor Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var raw []byte
		if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, webhookSubscriptionSetting).Scan(&raw); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		var prev WebhookSubscription
		_ = json.Unmarshal(raw, &prev) // the audit row says what it was, if it can
		if _, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, webhookSubscriptionSetting); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, actor.audit(AuditWebhookUnsubscribe, "settings", WebhookSettingsTarget, ResultOK,
			fmt.Sprintf("notifications go to the default target again (were going to %s)", Cut(prev.URL, 300))))
	})
	if err != nil {
		return fmt.Errorf("store: clear webhook subscription: %w", err)
	}
	return nil
}
