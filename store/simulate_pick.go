package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// SimCardSummary is what the Simulate page shows of a card it acts on.
type SimCardSummary struct {
	ID, HolderName, Last4, Status, WalletID string
	BalanceCents                            int64
}

// SimWalletSummary is what the Simulate page shows of a wallet.
type SimWalletSummary struct {
	ID, Alias, Kind, Address string
	Enabled                  bool
	// Balances is symbol → cents.
	USDC, USDT int64
}

// SimFindCards finds up to limit cards for the Simulate page's picker by id
// prefix, last 4 digits or part of the holder's name.
func (s *Store) SimFindCards(ctx context.Context, q string, limit int) ([]SimCardSummary, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	var rows *sql.Rows
	var err error
	const cols = `SELECT id, card_holder_name, last4, status, COALESCE(wallet_id, ''), balance_cents FROM cards`
	switch {
	case len(q) == 4 && simDigits(q):
		rows, err = s.r.QueryContext(ctx, cols+` WHERE last4 = ? ORDER BY created_at DESC LIMIT ?`, q, limit)
	default:
		rows, err = s.r.QueryContext(ctx, cols+` WHERE id >= ? AND id < ? || x'ff'
			UNION SELECT id, card_holder_name, last4, status, COALESCE(wallet_id, ''), balance_cents FROM cards WHERE name_norm LIKE ? ESCAPE '\'
			LIMIT ?`, strings.ToLower(q), strings.ToLower(q), likeContains(NormalizeName(q)), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find cards for simulation: %w", err)
	}
	defer rows.Close()
	var out []SimCardSummary
	for rows.Next() {
		var c SimCardSummary
		if err := rows.Scan(&c.ID, &c.HolderName, &c.Last4, &c.Status, &c.WalletID, &c.BalanceCents); err != nil {
			return nil, fmt.Errorf("store: find cards for simulation: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SimCard returns the summary of one card.
func (s *Store) SimCard(ctx context.Context, id string) (SimCardSummary, error) {
	var c SimCardSummary
	err := s.r.QueryRowContext(ctx, `SELECT id, card_holder_name, last4, status, COALESCE(wallet_id, ''), balance_cents FROM cards WHERE id = ?`, id).
		Scan(&c.ID, &c.HolderName, &c.Last4, &c.Status, &c.WalletID, &c.BalanceCents)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: card %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("store: card %s: %w", id, err)
	}
	return c, nil
}

const simWalletCols = `SELECT w.id, w.alias, w.kind, w.address, w.enabled,
	COALESCE((SELECT balance_cents FROM wallet_balances b WHERE b.wallet_id = w.id AND b.symbol = 'USDC'), 0),
	COALESCE((SELECT balance_cents FROM wallet_balances b WHERE b.wallet_id = w.id AND b.symbol = 'USDT'), 0)
	FROM wallets w`

func scanSimWallets(rows *sql.Rows) ([]SimWalletSummary, error) {
	defer rows.Close()
	var out []SimWalletSummary
	for rows.Next() {
		var w SimWalletSummary
		if err := rows.Scan(&w.ID, &w.Alias, &w.Kind, &w.Address, &w.Enabled, &w.USDC, &w.USDT); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// SimFindWallets finds up to limit wallets by id prefix, alias or address;
// an empty query lists the HOLDING and VIRTUAL wallets.
func (s *Store) SimFindWallets(ctx context.Context, q string, limit int) ([]SimWalletSummary, error) {
	q = strings.TrimSpace(q)
	var rows *sql.Rows
	var err error
	if q == "" {
		rows, err = s.r.QueryContext(ctx, simWalletCols+` WHERE w.kind IN ('HOLDING', 'VIRTUAL') ORDER BY w.kind, w.alias LIMIT ?`, limit)
	} else {
		like := likeContains(q)
		rows, err = s.r.QueryContext(ctx, simWalletCols+` WHERE w.id LIKE ? ESCAPE '\' OR w.alias LIKE ? ESCAPE '\' OR w.address LIKE ? ESCAPE '\'
			ORDER BY w.kind, w.alias LIMIT ?`, likePrefix(strings.ToLower(q)), like, like, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: find wallets for simulation: %w", err)
	}
	out, err := scanSimWallets(rows)
	if err != nil {
		return nil, fmt.Errorf("store: find wallets for simulation: %w", err)
	}
	return out, nil
}

// SimWallet returns the summary of one wallet.
func (s *Store) SimWallet(ctx context.Context, id string) (SimWalletSummary, error) {
	rows, err := s.r.QueryContext(ctx, simWalletCols+` WHERE w.id = ?`, id)
	if err != nil {
		return SimWalletSummary{}, fmt.Errorf("store: wallet %s: %w", id, err)
	}
	out, err := scanSimWallets(rows)
	if err != nil {
		return SimWalletSummary{}, fmt.Errorf("store: wallet %s: %w", id, err)
	}
	if len(out) == 0 {
		return SimWalletSummary{}, fmt.Errorf("store: wallet %s: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// SimAuthorization is an authorization a clearing, reversal or refund can
// apply to, as the Simulate form offers it.
type SimAuthorization struct {
	// ID is the authorization's.
	ID string
	// At and AmountCents (Unix ms; bill amount, USD) are the
	// authorization's for an open one, its clearing's for a cleared one.
	At           int64
	AmountCents  int64
	MerchantName string
	// LeftCents is, for a cleared authorization, what is left to refund.
	LeftCents int64
}

// SimOpenAuthorizations lists up to limit of the card's authorizations that
// no clearing has closed and reversals have not released in full, newest
// first, with what each still holds: the ones a clearing or a reversal can
// apply to. The first is the one Simulate picks when none is
// chosen.
func (s *Store) SimOpenAuthorizations(ctx context.Context, cardID string, limit int) ([]SimAuthorization, error) {
	rows, err := s.r.QueryContext(ctx, simOpenSQL, cardID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: open authorizations of %s: %w", cardID, err)
	}
	out, err := scanSimAuthorizations(rows)
	if err != nil {
		return nil, fmt.Errorf("store: open authorizations of %s: %w", cardID, err)
	}
	return out, nil
}

// simOpenSQL reads the card's authorizations, clearings and reversals once,
// on the card's index: a clearing or reversal is the card's own and names
// its authorization (parent_id). (Looking each authorization's followers up
// by parent cost a read somewhere else on disk per authorization, the card
// page's slowest read on a card never opened.) An authorization is open
// until a clearing closes it or reversals release its whole hold; LeftCents
// is what it still holds.
const simOpenSQL = `WITH m AS MATERIALIZED (
		SELECT rowid AS rid, id, parent_id, operation, status, datetime, bill_amount_cents AS bill, merchant_name
		FROM card_transactions
		WHERE card_id = ? AND operation IN ('AUTHORIZATION', 'CLEARING', 'REVERSAL')),
	reversed AS (SELECT parent_id, SUM(bill) AS cents FROM m
		WHERE operation = 'REVERSAL' AND status = 'SUCCESS' AND parent_id IS NOT NULL GROUP BY parent_id)
	SELECT a.id, a.datetime, a.bill, a.merchant_name, a.bill - COALESCE(r.cents, 0)
	FROM m a LEFT JOIN reversed r ON r.parent_id = a.id
	WHERE a.operation = 'AUTHORIZATION' AND a.status != 'FAILED' AND a.bill > COALESCE(r.cents, 0)
	AND a.id NOT IN (SELECT parent_id FROM m
		WHERE parent_id IS NOT NULL AND operation = 'CLEARING' AND status = 'SUCCESS')
	ORDER BY a.datetime DESC, a.rid DESC LIMIT ?`

// SimRefundableAuthorizations lists up to limit of the card's cleared
// authorizations with something left to refund, newest clearing first: the
// ones a refund can apply to.
func (s *Store) SimRefundableAuthorizations(ctx context.Context, cardID string, limit int) ([]SimAuthorization, error) {
	rows, err := s.r.QueryContext(ctx, simRefundableSQL, cardID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: refundable authorizations of %s: %w", cardID, err)
	}
	out, err := scanSimAuthorizations(rows)
	if err != nil {
		return nil, fmt.Errorf("store: refundable authorizations of %s: %w", cardID, err)
	}
	return out, nil
}

// simRefundableSQL reads the card's successful clearings and refunds once,
// on the card's index: a clearing names its authorization (parent_id) and
// the refunds of that authorization are the card's too. (Looking each
// authorization up by id and its refunds by parent cost two reads of
// somewhere else on disk per clearing.)
const simRefundableSQL = `WITH m AS MATERIALIZED (
		SELECT rowid AS rid, parent_id, operation, datetime, bill_amount_cents AS bill, merchant_name
		FROM card_transactions
		WHERE card_id = ? AND status = 'SUCCESS' AND operation IN ('CLEARING', 'REFUND') AND parent_id IS NOT NULL),
	refunded AS (SELECT parent_id, SUM(bill) AS cents FROM m WHERE operation = 'REFUND' GROUP BY parent_id)
	SELECT c.parent_id, c.datetime, c.bill, c.merchant_name, c.bill - COALESCE(r.cents, 0)
	FROM m c LEFT JOIN refunded r ON r.parent_id = c.parent_id
	WHERE c.operation = 'CLEARING' AND c.bill > COALESCE(r.cents, 0)
	ORDER BY c.datetime DESC, c.rid DESC LIMIT ?`

func scanSimAuthorizations(rows *sql.Rows) ([]SimAuthorization, error) {
	defer rows.Close()
	var out []SimAuthorization
	for rows.Next() {
		var a SimAuthorization
		if err := rows.Scan(&a.ID, &a.At, &a.AmountCents, &a.MerchantName, &a.LeftCents); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
