package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Card is one card of the sandbox issuer, as the card page shows it. Money is
// integer cents; a nil limit means none.
type Card struct {
	ID             string
	HolderName     string
	Email          string
	PhoneDialCode  string
	PhoneNumber    string
	Type           string
	BIN            string
	Last4          string
	ExpMonth       int
	ExpYear        int
	Status         string
	ApprovalMethod string
	DailyLimit     *int64
	WeeklyLimit    *int64
	MonthlyLimit   *int64
	Forwarded3DS   string
	BalanceCents   int64
	WalletID       string
	Version        int64
	CreatedAt      int64
	UpdatedAt      int64
}

// Phone shows the card's phone number with its dial code, "" when none.
func (c Card) Phone() string {
	return strings.TrimSpace(c.PhoneDialCode + " " + c.PhoneNumber)
}

const cardColumns = `c.id, c.card_holder_name, c.email, c.phone_dial_code, c.phone_number, c.type, c.bin, c.last4,
	c.exp_month, c.exp_year, c.status, c.approval_method, c.daily_limit_cents, c.weekly_limit_cents,
	c.monthly_limit_cents, c.forwarded_3ds_type, c.balance_cents, COALESCE(c.wallet_id, ''), c.version,
	c.created_at, c.updated_at`

func scanCard(row rowScanner, extra ...any) (Card, error) {
	var c Card
	var daily, weekly, monthly sql.NullInt64
	dest := []any{&c.ID, &c.HolderName, &c.Email, &c.PhoneDialCode, &c.PhoneNumber, &c.Type, &c.BIN, &c.Last4,
		&c.ExpMonth, &c.ExpYear, &c.Status, &c.ApprovalMethod, &daily, &weekly, &monthly,
		&c.Forwarded3DS, &c.BalanceCents, &c.WalletID, &c.Version, &c.CreatedAt, &c.UpdatedAt}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return c, err
	}
	c.DailyLimit, c.WeeklyLimit, c.MonthlyLimit = nullInt(daily), nullInt(weekly), nullInt(monthly)
	return c, nil
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// CardByID returns the card with this id, or ErrNotFound.
func (s *Store) CardByID(ctx context.Context, id string) (Card, error) {
	c, err := scanCard(s.r.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Card{}, fmt.Errorf("store: card %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Card{}, fmt.Errorf("store: card %s: %w", id, err)
	}
	return c, nil
}

// CardsByID returns the cards with these ids that exist, by id, in one
// query (the event log names up to a page of cards at once).
func (s *Store) CardsByID(ctx context.Context, ids []string) (map[string]Card, error) {
	out := make(map[string]Card, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	list, args := inList(args)
	rows, err := s.r.QueryContext(ctx, `SELECT `+cardColumns+` FROM cards c WHERE c.id IN (`+list+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: cards by id: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, fmt.Errorf("store: cards by id: %w", err)
		}
		out[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cards by id: %w", err)
	}
	return out, nil
}

// CardNumber is one number a card has had, masked: the full PAN is never
// stored. InactiveSince is 0 for the current number.
type CardNumber struct {
	ID            int64
	First6        string
	Last4         string
	ExpMonth      int
	ExpYear       int
	ActiveFrom    int64
	InactiveSince int64
}

// Current reports whether this is the card's number in use.
func (n CardNumber) Current() bool { return n.InactiveSince == 0 }

// cardNumbersQuery reads a card's numbers, newest first, from
// card_numbers_card alone (it covers these columns, migration 0034).
const cardNumbersQuery = `SELECT id, first6, last4, exp_month, exp_year, active_from, COALESCE(inactive_since, 0)
	FROM card_numbers WHERE card_id = ? ORDER BY id DESC`

// CardNumbers returns every number the card has had, newest first.
func (s *Store) CardNumbers(ctx context.Context, cardID string) ([]CardNumber, error) {
	rows, err := s.r.QueryContext(ctx, cardNumbersQuery, cardID)
	if err != nil {
		return nil, fmt.Errorf("store: card %s numbers: %w", cardID, err)
	}
	defer rows.Close()
	var out []CardNumber
	for rows.Next() {
		var n CardNumber
		if err := rows.Scan(&n.ID, &n.First6, &n.Last4, &n.ExpMonth, &n.ExpYear, &n.ActiveFrom, &n.InactiveSince); err != nil {
			return nil, fmt.Errorf("store: card %s numbers: %w", cardID, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: card %s numbers: %w", cardID, err)
	}
	return out, nil
}

// Movement is one card transaction (authorization, clearing, refund,
// reversal) with its status and, when declined, the reason.
type Movement struct {
	ID                 string
	ParentID           string
	Datetime           int64
	Operation          string
	Status             string
	BillAmountCents    int64
	BillCurrency       string
	TxAmountCents      int64
	TxCurrency         string
	ExchangeRate       string
	MerchantName       string
	MerchantCity       string
	MerchantCountry    string
	MerchantMCC        string
	OriginalBalance    int64
	NewBalance         int64
	DeclineCode        string
	DeclineDescription string
	FeeFXCents         int64
	FeeATMCents        int64
	SourceOperationID  string
	// FeeDepositCents is a deposit's network fee and TxHash its on-chain
	// transaction (an OperationDeposit's only).
	FeeDepositCents int64
	TxHash          string
}

// OperationDeposit is the Operation of a Movement that is a deposit to the
// card (the provider's card-transaction search calls it WALLET_DEPOSIT,
// "crypto/money added to a card"). Its TxAmount is the amount sent, in its
// token; its BillAmount the USD credited, the fee kept; a FAILED or
// CANCELLED one credited nothing and says why in DeclineDescription.
const OperationDeposit = "DEPOSIT"

// depositCols are the columns scanDeposit reads, in its order.
const depositCols = `id, at, status, amount_cents, token, net_cents, fee_cents, original_balance_cents, new_balance_cents,
	reason, tx_hash, source_operation_id`

func scanDeposit(row rowScanner) (Movement, error) {
	m := Movement{Operation: OperationDeposit, BillCurrency: "USD", ExchangeRate: "1"}
	err := row.Scan(&m.ID, &m.Datetime, &m.Status, &m.TxAmountCents, &m.TxCurrency, &m.BillAmountCents, &m.FeeDepositCents,
		&m.OriginalBalance, &m.NewBalance, &m.DeclineDescription, &m.TxHash, &m.SourceOperationID)
	return m, err
}

// newerMovement reports whether a comes before (is newer than) b in a card's
// movements, newest first by (datetime, id).
func newerMovement(a, b MovementCursor) bool {
	if a.Datetime != b.Datetime {
		return a.Datetime > b.Datetime
	}
	return a.ID > b.ID
}

// cardMovementsQuery is the query of a page of the card's rows in table
// (card_transactions or card_deposits, whose time column is at), newest
// first, older than after, at most limit rows, on the table's (card_id,
// time, id) index.
func cardMovementsQuery(table, cols, at, cardID string, after MovementCursor, limit int) (string, []any) {
	q := `SELECT ` + cols + ` FROM ` + table + ` WHERE card_id = ?`
	args := []any{cardID}
	if !after.IsZero() {
		q += ` AND (` + at + `, id) < (?, ?)`
		args = append(args, after.Datetime, after.ID)
	}
	// The limit is written into the text, not bound: SQLite plans a
	// bound LIMIT for its value and prepares the statement again whenever
	// the value changes, and the card page asks for 26 and for 501 in turn.
	return q + ` ORDER BY ` + at + ` DESC, id DESC LIMIT ` + strconv.Itoa(limit), args
}

// MovementCursor is where a page of movements ends: the next page starts
// just after (older than) it. The zero cursor starts at the newest.
type MovementCursor struct {
	Datetime int64
	ID       string
}

// IsZero reports whether the cursor is the start.
func (c MovementCursor) IsZero() bool { return c.Datetime == 0 && c.ID == "" }

// movementCols are the columns scanMovement reads, in its order.
const movementCols = `id, COALESCE(parent_id, ''), datetime, operation, status, bill_amount_cents, bill_currency,
	transaction_amount_cents, transaction_currency, exchange_rate, merchant_name, merchant_city,
	merchant_country, merchant_mcc, original_balance_cents, new_balance_cents, decline_code,
	decline_description, fee_fx_cents, fee_atm_cents, source_operation_id`

func scanMovement(row rowScanner) (Movement, error) {
	var m Movement
	err := row.Scan(&m.ID, &m.ParentID, &m.Datetime, &m.Operation, &m.Status, &m.BillAmountCents, &m.BillCurrency,
		&m.TxAmountCents, &m.TxCurrency, &m.ExchangeRate, &m.MerchantName, &m.MerchantCity,
		&m.MerchantCountry, &m.MerchantMCC, &m.OriginalBalance, &m.NewBalance, &m.DeclineCode,
		&m.DeclineDescription, &m.FeeFXCents, &m.FeeATMCents, &m.SourceOperationID)
	return m, err
}

// CardMovements returns up to limit of the card's movements, newest first,
// older than after; next is the cursor of the following page, zero when this
// is the last. The movements are its transactions and its deposits
// (OperationDeposit), each read on its (card_id, time, id) index backwards
// and merged, so a page costs the same at any depth.
func (s *Store) CardMovements(ctx context.Context, cardID string, after MovementCursor, limit int) (ms []Movement, next MovementCursor, err error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	wrap := func(err error) error { return fmt.Errorf("store: card %s movements: %w", cardID, err) }
	q, args := cardMovementsQuery("card_transactions", movementCols, "datetime", cardID, after, limit+1)
	txs, err := readMovements(ctx, s.r, q, args, scanMovement)
	if err != nil {
		return nil, next, wrap(err)
	}
	q, args = cardMovementsQuery("card_deposits", depositCols, "at", cardID, after, limit+1)
	deps, err := readMovements(ctx, s.r, q, args, scanDeposit)
	if err != nil {
		return nil, next, wrap(err)
	}
	ms = mergeNewestFirst(txs, deps, limit+1, func(m Movement) MovementCursor { return MovementCursor{Datetime: m.Datetime, ID: m.ID} })
	if len(ms) > limit {
		ms = ms[:limit]
		last := ms[limit-1]
		next = MovementCursor{Datetime: last.Datetime, ID: last.ID}
	}
	return ms, next, nil
}

func readMovements(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args []any, scan func(rowScanner) (Movement, error)) ([]Movement, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ms []Movement
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// mergeNewestFirst merges two lists ordered newest first by key into one,
// at most limit long.
func mergeNewestFirst[T any](a, b []T, limit int, key func(T) MovementCursor) []T {
	out := make([]T, 0, min(limit, len(a)+len(b)))
	for len(out) < limit && (len(a) > 0 || len(b) > 0) {
		if len(b) == 0 || len(a) > 0 && newerMovement(key(a[0]), key(b[0])) {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return out
}

// HasCards reports whether the database holds any card.
func (s *Store) HasCards(ctx context.Context) (bool, error) {
	var has bool
	if err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM cards)`).Scan(&has); err != nil {
		return false, fmt.Errorf("store: any card: %w", err)
	}
	return has, nil
}

// BalancePoint is a card's balance right after one of its movements.
type BalancePoint struct {
	At      int64 // the movement's time, Unix milliseconds
	Balance int64 // the card's balance after it, in cents
}

// balanceRow is a BalancePoint with its movement's id, the tie-break of
// two changes at the same instant.
type balanceRow struct {
	BalancePoint
	id string
}

// cardBalancesQueries are CardBalances' reads: the time and new balance of
// the card's newest limit transactions, then of its newest limit deposits,
// each on its (card_id, time, id) index.
func cardBalancesQueries(limit int) [2]string {
	n := strconv.Itoa(limit)
	return [2]string{
		`SELECT datetime, id, new_balance_cents FROM card_transactions WHERE card_id = ? ORDER BY datetime DESC, id DESC LIMIT ` + n,
		`SELECT at, id, new_balance_cents FROM card_deposits WHERE card_id = ? ORDER BY at DESC, id DESC LIMIT ` + n,
	}
}

// CardBalances returns the balance after each of the card's newest limit
// balance changes (1 to 500), oldest first: the balance chart's points. The
// changes are its movements, transactions and deposits alike (a deposit's
// point is where the balance rises by it), as CardMovements lists them. It
// reads three columns of the rows CardMovements reads, as the chart needs no
// more (decoding twenty columns of 500 movements was most of the chart's
// cost): at most limit rows of each kind, merged.
func (s *Store) CardBalances(ctx context.Context, cardID string, limit int) ([]BalancePoint, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	var kinds [2][]balanceRow
	for i, q := range cardBalancesQueries(limit) {
		ps, err := s.balancePoints(ctx, q, cardID)
		if err != nil {
			return nil, fmt.Errorf("store: card %s balances: %w", cardID, err)
		}
		kinds[i] = ps
	}
	rows := mergeNewestFirst(kinds[0], kinds[1], limit, func(r balanceRow) MovementCursor { return MovementCursor{Datetime: r.At, ID: r.id} })
	ps := make([]BalancePoint, len(rows))
	for i, r := range rows {
		ps[len(rows)-1-i] = r.BalancePoint
	}
	return ps, nil
}

func (s *Store) balancePoints(ctx context.Context, q, cardID string) ([]balanceRow, error) {
	rows, err := s.r.QueryContext(ctx, q, cardID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []balanceRow
	for rows.Next() {
		var p balanceRow
		if err := rows.Scan(&p.At, &p.id, &p.Balance); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// Tokenization is a mobile-wallet token (Google Pay, Apple Pay, …) of a card.
type Tokenization struct {
	ID             string
	WalletProvider string
	DeviceName     string
	Status         string
	CreatedAt      int64
}

// CardTokenizations returns the card's mobile-wallet tokens, newest first.
func (s *Store) CardTokenizations(ctx context.Context, cardID string) ([]Tokenization, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, wallet_provider, device_name, status, created_at
		FROM card_tokenizations WHERE card_id = ? ORDER BY created_at DESC, id DESC`, cardID)
	if err != nil {
		return nil, fmt.Errorf("store: card %s tokenizations: %w", cardID, err)
	}
	defer rows.Close()
	var out []Tokenization
	for rows.Next() {
		var t Tokenization
		if err := rows.Scan(&t.ID, &t.WalletProvider, &t.DeviceName, &t.Status, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: card %s tokenizations: %w", cardID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: card %s tokenizations: %w", cardID, err)
	}
	return out, nil
}

// Wallet is a stablecoin wallet with its token balances.
type Wallet struct {
	ID         string
	Alias      string
	Address    string
	Blockchain string
	Kind       string
	Enabled    bool
	CreatedAt  int64
	Balances   []WalletBalance
}

// WalletBalance is a wallet's balance in one token, in cents.
type WalletBalance struct {
	Symbol       string
	Name         string
	BalanceCents int64
}

// WalletByID returns the wallet with its balances, or ErrNotFound.
func (s *Store) WalletByID(ctx context.Context, id string) (Wallet, error) {
	var w Wallet
	err := s.r.QueryRowContext(ctx, `SELECT id, alias, address, blockchain, kind, enabled, created_at FROM wallets WHERE id = ?`, id).
		Scan(&w.ID, &w.Alias, &w.Address, &w.Blockchain, &w.Kind, &w.Enabled, &w.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Wallet{}, fmt.Errorf("store: wallet %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Wallet{}, fmt.Errorf("store: wallet %s: %w", id, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT symbol, name, balance_cents FROM wallet_balances WHERE wallet_id = ? ORDER BY symbol`, id)
	if err != nil {
		return Wallet{}, fmt.Errorf("store: wallet %s balances: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var b WalletBalance
		if err := rows.Scan(&b.Symbol, &b.Name, &b.BalanceCents); err != nil {
			return Wallet{}, fmt.Errorf("store: wallet %s balances: %w", id, err)
		}
		w.Balances = append(w.Balances, b)
	}
	if err := rows.Err(); err != nil {
		return Wallet{}, fmt.Errorf("store: wallet %s balances: %w", id, err)
	}
	return w, nil
}

// CardAudit returns the card's audit trail, newest first (at most limit rows).
func (s *Store) CardAudit(ctx context.Context, cardID string, limit int) ([]AuditEntry, error) {
	return s.AuditLog(ctx, AuditFilter{TargetType: "card", TargetID: cardID, Limit: limit})
}
