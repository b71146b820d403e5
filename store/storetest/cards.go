// Package storetest puts exactly the cards a test needs into a store: a
// named holder, e-mail, phone, current and former numbers and movements,
// where the seed would give random ones.
package storetest

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"testing"

	"cardops/store"
)

// Card describes a card to add. Zero fields get plain defaults (ACTIVE,
// VIRTUAL, NONE, BIN 424242, a random last 4).
type Card struct {
	ID       string // default: a random UUID
	Holder   string
	Email    string
	DialCode string // "+34"
	Phone    string // national number, digits
	Type     string
	Status   string
	Approval string
	Last4    string
	// FormerLast4 are the last 4 of numbers the card had before, oldest first.
	FormerLast4 []string
	// BIN is the first 6 of every number (default 424242).
	BIN string
	// PAN, when set, is the card's full number: it sets BIN and Last4 and
	// is hashed with the store's key, so a search by number finds it.
	// FormerPANs likewise replace FormerLast4.
	PAN        string
	FormerPANs []string
	Balance    int64
	CreatedAt  int64 // Unix ms; default 1,700,000,000,000
	// ExpMonth and ExpYear are every number's expiry (default 12/2029).
	ExpMonth, ExpYear int
	Movements         []Movement
	Tokenizations     []Tokenization
}

// Tokenization is a card's token in a mobile wallet.
type Tokenization struct {
	ID        string // default: a random UUID
	Provider  string // default APPLE_PAY
	Device    string // default iPhone
	Status    string // default ACTIVE
	CreatedAt int64  // Unix ms; default the card's
}

// Movement is a card transaction to add.
type Movement struct {
	ID          string // default: a random UUID
	At          int64  // Unix ms
	Operation   string // default AUTHORIZATION
	Status      string // default SUCCESS
	Amount      int64  // cents, USD
	Merchant    string
	DeclineCode string
	DeclineText string
	// ParentID is the authorization a clearing, refund or reversal follows.
	ParentID string
	// NewBalance is the card's balance after the movement, cents.
	NewBalance int64
	// SourceOperationID is the operation id of the notification about it.
	SourceOperationID string
}

// AddCard writes c and returns its id.
func AddCard(t testing.TB, st *store.Store, c Card) string {
	t.Helper()
	id, err := Insert(context.Background(), st, c)
	if err != nil {
		t.Fatalf("storetest: add card %q: %v", c.Holder, err)
	}
	return id
}

// Insert writes c in one transaction and returns its id; AddCard is the
// testing form.
func Insert(ctx context.Context, st *store.Store, c Card) (string, error) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&c.ID, NewID())
	def(&c.Type, "VIRTUAL")
	def(&c.Status, "ACTIVE")
	def(&c.Approval, "NONE")
	var hashes [][]byte // of the numbers, former first, when PAN is set
	if c.PAN != "" {
		key := st.PANKey()
		c.BIN, c.Last4, c.FormerLast4 = c.PAN[:store.BINLength], c.PAN[len(c.PAN)-4:], nil
		for _, p := range append(append([]string{}, c.FormerPANs...), c.PAN) {
			if p[:store.BINLength] != c.BIN {
				return "", fmt.Errorf("former number on BIN %s, want the card's %s", p[:store.BINLength], c.BIN)
			}
			hashes = append(hashes, store.HashPAN(key, p))
			if p != c.PAN {
				c.FormerLast4 = append(c.FormerLast4, p[len(p)-4:])
			}
		}
	}
	def(&c.BIN, "424242")
	def(&c.Last4, fmt.Sprintf("%04d", randInt(10000)))
	if c.CreatedAt == 0 {
		c.CreatedAt = 1_700_000_000_000
	}
	if c.ExpMonth == 0 {
		c.ExpMonth, c.ExpYear = 12, 2029
	}
	tx, err := st.Writer().BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO cards (id, card_holder_name, name_norm, email, phone_dial_code, phone_number, phone_norm,
		type, bin, last4, exp_month, exp_year, status, approval_method, balance_cents, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Holder, store.NormalizeName(c.Holder), c.Email, c.DialCode, c.Phone, store.NormalizePhone(c.DialCode+c.Phone),
		c.Type, c.BIN, c.Last4, c.ExpMonth, c.ExpYear, c.Status, c.Approval, c.Balance, c.CreatedAt, c.CreatedAt)
	if err != nil {
		return "", err
	}
	at := c.CreatedAt
	numbers := append(append([]string{}, c.FormerLast4...), c.Last4)
	for i, l4 := range numbers {
		var inactive any // the current number is active
		if i < len(numbers)-1 {
			inactive = at + 1000
		}
		hash := randBytes(32)
		if hashes != nil {
			hash = hashes[i]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_numbers (card_id, card_key, first6, last4, pan_hash, exp_month, exp_year, active_from, inactive_since)
			VALUES (?, (SELECT rowid FROM cards WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.ID, c.BIN, l4, hash, c.ExpMonth, c.ExpYear, at, inactive); err != nil {
			return "", err
		}
		at += 1000
	}
	for _, m := range c.Movements {
		def(&m.ID, NewID())
		def(&m.Operation, "AUTHORIZATION")
		def(&m.Status, "SUCCESS")
		var parent any
		if m.ParentID != "" {
			parent = m.ParentID
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO card_transactions (id, card_id, parent_id, datetime, operation, status,
			bill_amount_cents, transaction_amount_cents, transaction_currency, merchant_name,
			original_balance_cents, new_balance_cents, decline_code, decline_description, source_operation_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, 0, ?, ?, ?, ?)`,
			m.ID, c.ID, parent, m.At, m.Operation, m.Status, m.Amount, m.Amount, m.Merchant, m.NewBalance,
			m.DeclineCode, m.DeclineText, m.SourceOperationID); err != nil {
			return "", err
		}
	}
	for _, tk := range c.Tokenizations {
		if tk.CreatedAt == 0 {
			tk.CreatedAt = c.CreatedAt
		}
		if err := insertTokenization(ctx, tx, c.ID, tk); err != nil {
			return "", err
		}
	}
	return c.ID, tx.Commit()
}

// AddTokenization gives the card cardID a token in a mobile wallet.
func AddTokenization(t testing.TB, st *store.Store, cardID string, tk Tokenization) {
	t.Helper()
	if tk.CreatedAt == 0 {
		tk.CreatedAt = 1_700_000_000_000
	}
	if err := insertTokenization(context.Background(), st.Writer(), cardID, tk); err != nil {
		t.Fatalf("storetest: add tokenization to card %s: %v", cardID, err)
	}
}

func insertTokenization(ctx context.Context, db execer, cardID string, tk Tokenization) error {
	_, err := db.ExecContext(ctx, `INSERT INTO card_tokenizations(id, card_id, wallet_provider, device_name, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, cmp.Or(tk.ID, NewID()), cardID, cmp.Or(tk.Provider, "APPLE_PAY"), cmp.Or(tk.Device, "iPhone"),
		cmp.Or(tk.Status, "ACTIVE"), tk.CreatedAt)
	return err
}

// execer is a transaction or the writer pool.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// NewID returns a random UUID (version 4).
func NewID() string {
	b := randBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func randInt(n int) int {
	b := randBytes(4)
	return int(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3])) % n
}
