package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Simulation actions, as they appear in POST /simulate/{action}.
const (
	ActAuthorize     = "authorize"
	ActClearing      = "clearing"
	ActRefund        = "refund"
	ActReversal      = "reversal"
	ActDecline       = "decline"
	Act3DS           = "3ds"
	ActDepositCard   = "deposit-card"
	ActDepositWallet = "deposit-wallet"
	ActWithdraw      = "withdraw"
)

// SimActions lists the actions in the order the console offers them.
var SimActions = []string{ActAuthorize, ActClearing, ActRefund, ActReversal, ActDecline, Act3DS,
	ActDepositCard, ActDepositWallet, ActWithdraw}

// IsSimAction reports whether a is a simulation action.
func IsSimAction(a string) bool {
	for _, x := range SimActions {
		if x == a {
			return true
		}
	}
	return false
}

// Codes of a SimError, as the provider names them.
const (
	SimCodeValidation = "VAL"       // bad input, unknown card or wallet
	SimCodeNotFound   = "NOT_FOUND" // no authorization / cleared transaction to act on
	SimCodeState      = "STATE"     // the card or wallet is in the wrong state
)

// Reasons of a SimError: why a simulation, a replay, an edited notification
// or a burst was refused. views words each; the comment says which facts of
// the SimError the wording may quote.
const (
	SimInputInvalid            = "input"                     // Fields: every wrong field and its code
	SimCardMissing             = "card_missing"              // ID: the card asked for
	SimWalletMissing           = "wallet_missing"            // ID: the wallet asked for
	SimNoAuthorization         = "no_authorization"          // ID: the card
	SimNoCleared               = "no_cleared"                // ID: the card
	SimAuthorizationNotOpen    = "authorization_not_open"    // ID: the one chosen; Last4
	SimAuthorizationNotCleared = "authorization_not_cleared" // ID: the one chosen; Last4
	SimReversalTooLarge        = "reversal_too_large"        // Amount; Limit: the authorization's
	SimRefundedInFull          = "refunded_in_full"          //
	SimRefundTooLarge          = "refund_too_large"          // Amount; Limit: what is left to refund
	SimCardDepositTooSmall     = "card_deposit_too_small"    // Amount; Limit: the minimum
	SimWalletDepositTooSmall   = "wallet_deposit_too_small"  // Amount; Limit: the minimum
	SimCardNotActive           = "card_not_active"           // Last4, Status (a 3DS challenge)
	SimCardDeleted             = "card_deleted"              // Last4 (a deposit)
	SimWalletNoDeposits        = "wallet_no_deposits"        // ID: a disabled wallet
	SimWalletNoWithdrawals     = "wallet_no_withdrawals"     // ID: a disabled wallet
	SimWalletShort             = "wallet_short"              // ID; Amount; Limit: the balance; Token
	SimPayloadNotJSON          = "payload_not_json"          // Offset, Detail: the JSON parser's own words
	SimBurstRunning            = "burst_running"             // ID, Burst: the burst still being delivered
	SimBurstDone               = "burst_done"                // ID, Burst: a burst with nothing left to stop
)

// SimError is a simulation refused before anything was written: bad input,
// an unknown card or wallet, a missing authorization, a wrong state. It says
// why (Reason, and Fields for bad input) and the facts a message needs;
// views words it. Field names the form field at fault, if one is.
type SimError struct {
	Code   string
	Reason string
	Field  string
	Fields FieldErrors
	// The facts; which are set depends on Reason.
	ID            string
	Last4, Status string
	Amount, Limit int64 // cents
	Token         string
	Offset        int64
	Detail        string
	Burst         *Burst
	// missing marks an unknown card or wallet, so errors.Is(err, ErrNotFound).
	missing bool
}

// Error says why, for logs; people read views' wording.
func (e *SimError) Error() string {
	if e.Reason == SimInputInvalid {
		return "refused: " + e.Fields.Error()
	}
	msg := "refused: " + e.Reason
	if e.ID != "" {
		msg += " " + e.ID
	}
	return msg
}

// Is makes an unknown card or wallet match ErrNotFound.
func (e *SimError) Is(target error) bool { return e.missing && target == ErrNotFound }

// simInvalid refuses bad input: fe names every wrong field.
func simInvalid(fe FieldErrors) *SimError {
	return &SimError{Code: SimCodeValidation, Reason: SimInputInvalid, Fields: fe}
}

// Amount bounds for simulations.
const (
	MaxSimAmountCents     = 100_000_000 // 1,000,000.00 USD
	MinCardDepositCents   = 1000        // the provider's minimum deposit to a card: 10 USD
	MinWalletDepositCents = 100         // and to any other wallet: 1 USD
)

// ParseAmount reads a decimal amount of dollars ("12", "12.5", "12.34") into
// cents, exactly and without floating point. It refuses signs, more than two
// decimals, zero and amounts above MaxSimAmountCents; the refusal is a field
// code (FieldRequired, FieldNegative, FieldInvalid, FieldTooPrecise,
// FieldTooLarge, FieldZero), "" when the amount is good.
func ParseAmount(s string) (int64, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, FieldRequired
	case strings.HasPrefix(s, "-"):
		return 0, FieldNegative
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && frac == "" || !simDigits(whole) || !simDigits(frac) || (dot && frac == "" && whole == "") {
		return 0, FieldInvalid
	}
	if len(frac) > 2 {
		return 0, FieldTooPrecise
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 7 {
		return 0, FieldTooLarge
	}
	var cents int64
	for _, c := range whole {
		cents = cents*10 + int64(c-'0')
	}
	frac += "00"[len(frac):]
	cents = cents*100 + int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	switch {
	case cents == 0:
		return 0, FieldZero
	case cents > MaxSimAmountCents:
		return 0, FieldTooLarge
	}
	return cents, ""
}

func simDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// simDecimal writes cents as a decimal number of dollars, e.g. "12.30".
func simDecimal(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// simNumber is cents as an exact JSON number of dollars.
func simNumber(cents int64) json.Number { return json.Number(simDecimal(cents)) }

// SimMerchant is where a simulated purchase happens.
type SimMerchant struct {
	Name    string
	City    string
	Country string // ISO-3166 alpha-2
	MCC     string
}

// simCurrency is a transaction currency the sandbox knows, with its ISO
// number and the sandbox's fixed USD rate in 1/10,000 (units per dollar).
type simCurrency struct {
	number string
	rate   int64
}

var simCurrencies = map[string]simCurrency{
	"USD": {"840", 10000}, "EUR": {"978", 9200}, "GBP": {"826", 7900}, "BRL": {"986", 54000},
	"MXN": {"484", 172000}, "ARS": {"032", 9500000}, "COP": {"170", 40500000}, "CLP": {"152", 9400000},
}

// SimCurrencies lists the transaction currencies a simulation may use.
var SimCurrencies = []string{"USD", "EUR", "GBP", "BRL", "MXN", "ARS", "COP", "CLP"}

// SimRequest is one simulation as asked for.
type SimRequest struct {
	Action   string
	CardID   string
	WalletID string
	// Amount is in USD, as typed (decimal); clearing ignores it, as the
	// provider does.
	Amount string
	// Currency is the merchant's currency; the bill is always USD.
	Currency string
	Merchant SimMerchant
	// Outcome is "" or SUCCESS for the normal effect, FAILED or CANCELLED
	// for the variant that fails with Reason and moves no money.
	Outcome string
	Reason  string
	// Token is the wallet token for deposits and withdrawals: USDC or USDT.
	Token string
	// AuthorizationID is the authorization a clearing, reversal or refund
	// applies to; "" picks the newest one that qualifies (open for a
	// clearing or reversal, cleared with something left to refund for a
	// refund). A chosen one must be the card's and qualify, else a
	// validation error on the field SimAuthorizationField(Action).
	AuthorizationID string
	By              SimActor
}

// SimAuthorizationField names the form field that chooses the
// authorization of action: "refund_of" for a refund, "authorization" for a
// clearing or reversal.
func SimAuthorizationField(action string) string {
	if action == ActRefund {
		return "refund_of"
	}
	return "authorization"
}

// SimResult is what a simulation did.
type SimResult struct {
	Action     string
	Outbox     OutboxMessage
	MovementID string
	// Declined is set for an authorization the sandbox declined.
	Declined    bool
	DeclineCode string
	DeclineText string
	// Outcome is SUCCESS, or the FAILED / CANCELLED variant that moved
	// nothing, with its Reason.
	Outcome, Reason string
	// Amount is what the action moved or asked to (cents of USD on a card,
	// of the token in a wallet); Fee the network fee a deposit or a
	// withdrawal took; Balance what the card or wallet holds after it.
	Amount, Fee, Balance int64
	Last4                string // the card's
	WalletID, Token      string // for a wallet's deposit or withdrawal
	// TxAmount and Currency are a 3DS challenge's purchase, at Merchant.
	TxAmount           int64
	Currency, Merchant string
}

// Simulate runs one simulation action: its effect on the sandbox and its
// notification's outbox row commit together, with the audit row, or not at
// all. A refusal is a *SimError.
func (s *Store) Simulate(ctx context.Context, req SimRequest) (SimResult, error) {
	return s.simulate(ctx, req, true)
}

// PreviewSimulation returns the result, notification body included, that
// Simulate would produce now, and changes nothing.
func (s *Store) PreviewSimulation(ctx context.Context, req SimRequest) (SimResult, error) {
	return s.simulate(ctx, req, false)
}

var errSimPreview = errors.New("preview: roll back")

func (s *Store) simulate(ctx context.Context, req SimRequest, commit bool) (SimResult, error) {
	res := SimResult{Action: req.Action}
	in, fe := req.parse()
	if fe != nil {
		return res, simInvalid(fe)
	}
	fn := simFuncs[req.Action]
	res.Outcome, res.Reason = in.outcome, in.reason
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st := &simTx{s: s, ctx: ctx, tx: tx, now: s.nowMs(), in: in, req: req, res: &res}
		if err := fn(st); err != nil {
			return err
		}
		res.Outbox.Source, res.Outbox.Actor = SourceSimulate, req.By.Name
		if err := s.enqueueTx(ctx, tx, &res.Outbox); err != nil {
			return err
		}
		target, id := "card", req.CardID
		if res.Outbox.CardID == "" {
			target, id = "wallet", res.Outbox.WalletID
		}
		detail := fmt.Sprintf("%s/%s %s", res.Outbox.Operation, res.Outbox.SubOperation, res.Outbox.Status)
		if in.amount > 0 {
			// A wallet's deposit or withdrawal moves its token (USDC or
			// USDT), a card's movement USD.
			currency := "USD"
			if target == "wallet" && in.token != "" {
				currency = in.token
			}
			detail += ", amount " + simDecimal(in.amount) + " " + currency
		}
		detail += fmt.Sprintf(", sent as delivery #%d", res.Outbox.ID)
		if err := s.auditTx(ctx, tx, AuditEntry{Actor: req.By.Name, ActorLevel: req.By.Level, RemoteAddr: req.By.RemoteAddr,
			Action: AuditSimulate(req.Action), TargetType: target, TargetID: id, Detail: detail}); err != nil {
			return err
		}
		if !commit {
			return errSimPreview
		}
		return nil
	})
	if errors.Is(err, errSimPreview) {
		return res, nil
	}
	var se *SimError
	if errors.As(err, &se) {
		return res, err
	}
	if err != nil {
		return res, fmt.Errorf("store: simulate %s: %w", req.Action, err)
	}
	return res, nil
}

// AuditSimRefusal records a refused simulation; detail says why, in the
// words the person was shown.
func (s *Store) AuditSimRefusal(ctx context.Context, req SimRequest, detail string) error {
	target, id := "card", req.CardID
	if req.CardID == "" && req.WalletID != "" {
		target, id = "wallet", req.WalletID
	}
	return s.Audit(ctx, AuditEntry{Actor: req.By.Name, ActorLevel: req.By.Level, RemoteAddr: req.By.RemoteAddr,
		Action: AuditSimulate(req.Action), TargetType: target, TargetID: id, Result: ResultRefused, Detail: detail})
}

// simInput is a SimRequest checked and parsed.
type simInput struct {
	amount   int64
	currency string
	merchant SimMerchant
	outcome  string
	reason   string
	token    string
}

// Validate names every field of the request that is wrong, and why.
func (req SimRequest) Validate() FieldErrors {
	_, fe := req.parse()
	return fe
}

// parse checks req and reads it into a simInput; fe names every wrong field.
func (req SimRequest) parse() (in simInput, fe FieldErrors) {
	fe = FieldErrors{}
	in.merchant = req.Merchant
	if _, ok := simFuncs[req.Action]; !ok {
		fe.add("action", FieldInvalid)
	}
	// A reversal or a refund without an amount is for the whole of what
	// is left.
	whole := (req.Action == ActReversal || req.Action == ActRefund) && strings.TrimSpace(req.Amount) == ""
	if req.Action != ActClearing && !whole {
		var code string
		if in.amount, code = ParseAmount(req.Amount); code != "" {
			fe.add("amount", code)
		}
	}
	in.currency = strings.ToUpper(strings.TrimSpace(req.Currency))
	if in.currency == "" {
		in.currency = "USD"
	}
	if _, ok := simCurrencies[in.currency]; !ok {
		fe.add("currency", FieldInvalid)
	}
	m := &in.merchant
	m.Name, m.City = strings.TrimSpace(m.Name), strings.TrimSpace(m.City)
	m.Country, m.MCC = strings.ToUpper(strings.TrimSpace(m.Country)), strings.TrimSpace(m.MCC)
	m.Name, m.City, m.Country, m.MCC = cmp.Or(m.Name, "Sandbox Store"), cmp.Or(m.City, "San Francisco"), cmp.Or(m.Country, "US"), cmp.Or(m.MCC, "5999")
	if len(m.Name) > MaxMerchantName {
		fe.add("merchant_name", FieldTooLong)
	}
	if len(m.City) > MaxMerchantCity {
		fe.add("merchant_city", FieldTooLong)
	}
	if len(m.Country) != 2 || !simUpperAlpha(m.Country) {
		fe.add("merchant_country", FieldInvalid)
	}
	if len(m.MCC) != 4 || !simDigits(m.MCC) {
		fe.add("merchant_mcc", FieldInvalid)
	}
	in.outcome = strings.ToUpper(strings.TrimSpace(req.Outcome))
	in.reason = strings.TrimSpace(req.Reason)
	switch in.outcome {
	case "", "SUCCESS":
		in.outcome = "SUCCESS"
	case "FAILED", "CANCELLED":
		switch {
		case req.Action == ActDecline:
			fe.add("outcome", FieldNotAllowed)
		case in.reason == "":
			fe.add("reason", FieldRequired)
		case len(in.reason) > MaxSimReason:
			fe.add("reason", FieldTooLong)
		}
	default:
		fe.add("outcome", FieldInvalid)
	}
	in.token = strings.ToUpper(strings.TrimSpace(req.Token))
	switch in.token {
	case "":
		in.token = "USDC"
	case "USDC", "USDT":
	default:
		fe.add("token", FieldInvalid)
	}
	return in, fe.orNil()
}

// Bounds of a simulation's free text.
const (
	MaxMerchantName = 100
	MaxMerchantCity = 60
	MaxSimReason    = 200
)

func simUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// simTx is one simulation's transaction.
type simTx struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
	now int64
	in  simInput
	req SimRequest
	res *SimResult
}

var simFuncs = map[string]func(*simTx) error{
	ActAuthorize:     (*simTx).authorize,
	ActDecline:       (*simTx).decline,
	ActClearing:      (*simTx).clearing,
	ActRefund:        (*simTx).refund,
	ActReversal:      (*simTx).reversal,
	Act3DS:           (*simTx).threeDS,
	ActDepositCard:   (*simTx).depositCard,
	ActDepositWallet: (*simTx).depositWallet,
	ActWithdraw:      (*simTx).withdraw,
}

func simUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func simHex(n int) string {
	b := make([]byte, n/2)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type simCard struct {
	id, status, last4 string
	balance           int64
	limits            [3]sql.NullInt64 // daily, weekly, monthly
	walletID          string
}

func (t *simTx) card() (simCard, error) {
	var c simCard
	id := strings.TrimSpace(t.req.CardID)
	if id == "" {
		return c, simInvalid(FieldErrors{"card": FieldRequired})
	}
	var wallet sql.NullString
	err := t.tx.QueryRowContext(t.ctx, `SELECT id, status, last4, balance_cents, daily_limit_cents, weekly_limit_cents,
		monthly_limit_cents, wallet_id FROM cards WHERE id = ?`, id).
		Scan(&c.id, &c.status, &c.last4, &c.balance, &c.limits[0], &c.limits[1], &c.limits[2], &wallet)
	if errors.Is(err, sql.ErrNoRows) {
		return c, &SimError{Code: SimCodeValidation, Reason: SimCardMissing, Field: "card", ID: id, missing: true}
	}
	c.walletID = wallet.String
	t.res.Last4 = c.last4
	return c, err
}

// failedVariant records the FAILED / CANCELLED variant of a card movement:
// a FAILED movement with the reason, no money moved, and the notification
// with the variant's status.
func (t *simTx) failedVariant(c simCard, mv *simMovement, subOperation string) error {
	mv.status, mv.declineText = "FAILED", t.in.reason
	if err := t.insertMovement(mv); err != nil {
		return err
	}
	t.res.Amount, t.res.Balance = mv.bill, c.balance
	return t.notify("CARDS", subOperation, t.in.outcome, c.id, "", t.cardData(c, mv))
}

// closeAuthorization marks a pending authorization settled, by its clearing
// or its reversal, so it is no longer the card's open authorization.
func (t *simTx) closeAuthorization(id string) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE card_transactions SET status = 'SUCCESS' WHERE id = ? AND status = 'PENDING'`, id)
	return err
}

// setBalance moves the card's balance. It leaves cards.version alone: the
// version guards a prepared reissue against changes to the card's number or
// state, and purchases on a card (a stolen one, say) must not cancel it.
func (t *simTx) setBalance(cardID string, bal int64) error {
	_, err := t.tx.ExecContext(t.ctx, `UPDATE cards SET balance_cents = ?, updated_at = ? WHERE id = ?`,
		bal, t.now, cardID)
	return err
}

// simMovement is a card_transactions row.
type simMovement struct {
	id, cardID, parentID, op, status string
	bill, simTxAmount                int64
	currency, rate                   string
	m                                SimMerchant
	orig, newBal                     int64
	declineCode, declineText         string
	opID                             string
	// parentAt is the authorization's datetime; at is the movement's,
	// set when it is written.
	parentAt, at int64
}

func (t *simTx) insertMovement(mv *simMovement) error {
	mv.id = simUUID()
	var parent any
	mv.at = t.now
	if mv.parentID != "" {
		parent = mv.parentID
		// Never dated before its authorization, whatever the clock says:
		// the card timeline finds followers from their authorization's
		// datetime on (timelineGroups).
		mv.at = max(mv.at, mv.parentAt)
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO card_transactions(id, card_id, parent_id, datetime, operation, status,
		bill_amount_cents, bill_currency, transaction_amount_cents, transaction_currency, exchange_rate,
		merchant_name, merchant_city, merchant_country, merchant_mcc, original_balance_cents, new_balance_cents,
		decline_code, decline_description, source_operation_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		mv.id, mv.cardID, parent, mv.at, mv.op, mv.status, mv.bill, mv.simTxAmount, mv.currency, mv.rate,
		mv.m.Name, mv.m.City, mv.m.Country, mv.m.MCC, mv.orig, mv.newBal, mv.declineCode, mv.declineText, mv.opID)
	t.res.MovementID = mv.id
	return err
}

// simTxAmount converts a USD bill to the merchant's currency at the sandbox's
// fixed rate, rounding half up; it returns the amount and the rate text.
func simTxAmount(bill int64, currency string) (int64, string) {
	c := simCurrencies[currency]
	amt := (bill*c.rate + 5000) / 10000
	rate := fmt.Sprintf("%d.%04d", c.rate/10000, c.rate%10000)
	rate = strings.TrimRight(strings.TrimRight(rate, "0"), ".")
	return amt, rate
}

// notify fills in the outbox row of the result.
func (t *simTx) notify(operation, sub, status, cardID, walletID string, data map[string]any) error {
	opID := simUUID()
	env := map[string]any{"operation": operation, "sub_operation": sub, "operation_id": opID, "status": status, "data": data}
	if status == "FAILED" || status == "CANCELLED" {
		env["reason"] = t.in.reason
	}
	body, err := json.Marshal(env)
	if err != nil {
		return err
	}
	t.res.Outbox = OutboxMessage{OperationID: opID, Operation: operation, SubOperation: sub, Status: status,
		CardID: cardID, WalletID: walletID, Body: body}
	if t.res.MovementID != "" {
		_, err = t.tx.ExecContext(t.ctx, `UPDATE card_transactions SET source_operation_id = ? WHERE id = ?`, opID, t.res.MovementID)
	}
	return err
}

func (t *simTx) cardData(c simCard, mv *simMovement) map[string]any {
	cur := simCurrencies[mv.currency]
	d := map[string]any{
		"card_id":                     c.id,
		"transaction_id":              mv.id,
		"bill_amount":                 simNumber(mv.bill),
		"bill_currency_number":        "840",
		"bill_currency_code":          "USD",
		"transaction_amount":          simNumber(mv.simTxAmount),
		"transaction_currency_number": cur.number,
		"transaction_currency_code":   mv.currency,
		"exchange_rate":               json.Number(mv.rate),
		"fees":                        map[string]any{"atm_fees": json.Number("0"), "fx_fees": json.Number("0")},
		"merchant_data": map[string]any{"id": "SBX" + mv.m.MCC + mv.m.Country, "name": mv.m.Name, "city": mv.m.City,
			"country": mv.m.Country, "mcc": mv.m.MCC, "post_code": "", "state": ""},
		"original_balance": simNumber(mv.orig),
		"new_balance":      simNumber(mv.newBal),
		"created_at":       time.UnixMilli(mv.at).UTC().Format(time.RFC3339Nano),
	}
	if mv.parentID != "" {
		d["authorization_id"] = mv.parentID
	}
	if mv.declineCode != "" || mv.declineText != "" {
		d["decline_reason"] = map[string]any{"response_code": mv.declineCode, "description": mv.declineText}
	}
	return d
}

func (t *simTx) purchase(c simCard) *simMovement {
	amt, rate := simTxAmount(t.in.amount, t.in.currency)
	return &simMovement{cardID: c.id, op: "AUTHORIZATION", bill: t.in.amount, simTxAmount: amt, currency: t.in.currency,
		rate: rate, m: t.in.merchant, orig: c.balance, newBal: c.balance}
}

// Decline reasons, with the provider's response codes.
var (
	simDeclineRestricted   = [2]string{"62", "Restricted card"}
	simDeclineExpired      = [2]string{"54", "Expired card"}
	simDeclineLimit        = [2]string{"61", "Exceeds amount limit"}
	simDeclineInsufficient = [2]string{"51", "Insufficient funds"}
	simDeclineForced       = [2]string{"05", "Do not honor"}
)

// authorize holds the amount on the card (a PENDING authorization), or
// declines it as the card program would: card not ACTIVE, over a limit,
// insufficient balance.
func (t *simTx) authorize() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	mv := t.purchase(c)
	var reason *[2]string
	switch {
	case c.status == "EXPIRED":
		reason = &simDeclineExpired
	case c.status != "ACTIVE":
		reason = &simDeclineRestricted
	default:
		over, err := t.overLimit(c)
		if err != nil {
			return err
		}
		if over {
			reason = &simDeclineLimit
		} else if t.in.amount > c.balance && t.in.outcome == "SUCCESS" {
			reason = &simDeclineInsufficient
		}
	}
	if reason != nil {
		return t.declineWith(c, mv, *reason)
	}
	if t.in.outcome != "SUCCESS" {
		return t.failedVariant(c, mv, "AUTHORIZATION")
	}
	mv.status, mv.newBal = "PENDING", c.balance-mv.bill
	if err := t.setBalance(c.id, mv.newBal); err != nil {
		return err
	}
	if err := t.insertMovement(mv); err != nil {
		return err
	}
	t.res.Amount, t.res.Balance = mv.bill, mv.newBal
	return t.notify("CARDS", "AUTHORIZATION", "PENDING", c.id, "", t.cardData(c, mv))
}

// decline writes a declined authorization with the forced code 05.
func (t *simTx) decline() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	return t.declineWith(c, t.purchase(c), simDeclineForced)
}

func (t *simTx) declineWith(c simCard, mv *simMovement, reason [2]string) error {
	mv.status, mv.declineCode, mv.declineText = "FAILED", reason[0], reason[1]
	if err := t.insertMovement(mv); err != nil {
		return err
	}
	t.res.Declined, t.res.DeclineCode, t.res.DeclineText = true, reason[0], reason[1]
	t.res.Amount, t.res.Balance = mv.bill, c.balance
	d := t.cardData(c, mv)
	d["channel"] = "ECOMMERCE"
	return t.notify("CARDS", "DECLINED", "SUCCESS", c.id, "", d)
}

// overLimit reports whether the amount would take the card past its daily
// (24 h), weekly (7 days) or monthly (30 days) limit, counting the
// authorizations not declined in each window, less what reversals released
// of them.
func (t *simTx) overLimit(c simCard) (bool, error) {
	windows := [3]int64{24 * 3600_000, 7 * 24 * 3600_000, 30 * 24 * 3600_000}
	for i, lim := range c.limits {
		if !lim.Valid {
			continue
		}
		var spent int64
		err := t.tx.QueryRowContext(t.ctx, `SELECT COALESCE(SUM(a.bill_amount_cents
				- COALESCE((SELECT SUM(r.bill_amount_cents) FROM card_transactions r
					WHERE r.parent_id = a.id AND r.operation = 'REVERSAL' AND r.status = 'SUCCESS'), 0)), 0)
			FROM card_transactions a
			WHERE a.card_id = ? AND a.operation = 'AUTHORIZATION' AND a.status != 'FAILED' AND a.datetime > ?`,
			c.id, t.now-windows[i]).Scan(&spent)
		if err != nil {
			return false, err
		}
		if spent+t.in.amount > lim.Int64 {
			return true, nil
		}
	}
	return false, nil
}

// openAuthorization finds the card's authorization that the request chose,
// or its most recent one, that no clearing has closed and reversals have
// not released in full. Its bill (and transaction amount) is what it still
// holds: a partial reversal leaves the rest open to clear or reverse.
func (t *simTx) openAuthorization(c simCard) (*simMovement, error) {
	mv := &simMovement{cardID: c.id}
	chosen, args := "", []any{c.id}
	if id := strings.TrimSpace(t.req.AuthorizationID); id != "" {
		chosen, args = `AND a.id = ?`, append(args, id)
	}
	var reversed int64
	err := t.tx.QueryRowContext(t.ctx, `SELECT id, datetime, bill, tx_amount, transaction_currency, exchange_rate,
		merchant_name, merchant_city, merchant_country, merchant_mcc, reversed FROM (
			SELECT a.rowid AS rid, a.id, a.datetime, a.bill_amount_cents AS bill, a.transaction_amount_cents AS tx_amount,
				a.transaction_currency, a.exchange_rate, a.merchant_name, a.merchant_city, a.merchant_country, a.merchant_mcc,
				COALESCE((SELECT SUM(x.bill_amount_cents) FROM card_transactions x WHERE x.parent_id = a.id
					AND x.operation = 'REVERSAL' AND x.status = 'SUCCESS'), 0) AS reversed
			FROM card_transactions a
			WHERE a.card_id = ? AND a.operation = 'AUTHORIZATION' AND a.status != 'FAILED'
			AND NOT EXISTS (SELECT 1 FROM card_transactions x WHERE x.parent_id = a.id
				AND x.operation = 'CLEARING' AND x.status = 'SUCCESS')
			`+chosen+`)
		WHERE bill > reversed ORDER BY datetime DESC, rid DESC LIMIT 1`, args...).
		Scan(&mv.parentID, &mv.parentAt, &mv.bill, &mv.simTxAmount, &mv.currency, &mv.rate, &mv.m.Name, &mv.m.City, &mv.m.Country, &mv.m.MCC, &reversed)
	if errors.Is(err, sql.ErrNoRows) && chosen != "" {
		return nil, &SimError{Code: SimCodeValidation, Reason: SimAuthorizationNotOpen, Field: SimAuthorizationField(t.req.Action), ID: strings.TrimSpace(t.req.AuthorizationID), Last4: c.last4}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &SimError{Code: SimCodeNotFound, Reason: SimNoAuthorization, Field: "card", ID: c.id}
	}
	if err != nil {
		return nil, err
	}
	if _, ok := simCurrencies[mv.currency]; !ok {
		mv.currency = "USD" // seeded currencies beyond the sandbox's list read as USD in the payload numbers
	}
	if reversed > 0 {
		mv.bill -= reversed
		mv.simTxAmount, mv.rate = simTxAmount(mv.bill, mv.currency)
	}
	return mv, nil
}

// clearing settles the card's open authorization: the hold becomes the
// debit, so the balance does not move again.
func (t *simTx) clearing() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	mv, err := t.openAuthorization(c)
	if err != nil {
		return err
	}
	mv.op = "CLEARING"
	return t.settle(c, mv, settlement{closes: true})
}

// settlement says how settle writes a movement that follows an
// authorization: whether it credits the card its amount and whether it
// closes the authorization.
type settlement struct {
	credits, closes bool
}

// settle writes a clearing, reversal or refund mv: its failed or cancelled
// variant, or the success with its credit to the balance, the movement, the
// authorization closed when it ends it, and the notification.
func (t *simTx) settle(c simCard, mv *simMovement, how settlement) error {
	mv.orig, mv.newBal = c.balance, c.balance
	if t.in.outcome != "SUCCESS" {
		return t.failedVariant(c, mv, mv.op)
	}
	mv.status = "SUCCESS"
	if how.credits {
		mv.newBal = c.balance + mv.bill
		if err := t.setBalance(c.id, mv.newBal); err != nil {
			return err
		}
	}
	if err := t.insertMovement(mv); err != nil {
		return err
	}
	if how.closes {
		if err := t.closeAuthorization(mv.parentID); err != nil {
			return err
		}
	}
	t.res.Amount, t.res.Balance = mv.bill, mv.newBal
	return t.notify("CARDS", mv.op, "SUCCESS", c.id, "", t.cardData(c, mv))
}

// reversal releases the hold of the card's open authorization, or part of
// it: the amount must not exceed what the authorization still holds, and
// the authorization stays open until its whole hold is released (or it is
// cleared).
func (t *simTx) reversal() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	mv, err := t.openAuthorization(c)
	if err != nil {
		return err
	}
	// No amount (0) is the whole of what it still holds.
	whole := t.in.amount == 0 || t.in.amount == mv.bill
	if !whole {
		if t.in.amount > mv.bill {
			return &SimError{Code: SimCodeValidation, Reason: SimReversalTooLarge, Field: "amount", Amount: t.in.amount, Limit: mv.bill}
		}
		mv.bill = t.in.amount
		mv.simTxAmount, mv.rate = simTxAmount(mv.bill, mv.currency)
	}
	mv.op = "REVERSAL"
	return t.settle(c, mv, settlement{credits: true, closes: whole})
}

// refund credits the card with up to what its last cleared transaction has
// not had refunded yet.
func (t *simTx) refund() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	mv := &simMovement{cardID: c.id}
	var cleared, refunded int64
	pick, args := `ORDER BY cl.datetime DESC, cl.rowid DESC LIMIT 1`, []any{c.id}
	chosen := strings.TrimSpace(t.req.AuthorizationID)
	if chosen != "" {
		pick, args = `AND a.id = ?`, append(args, chosen)
	}
	err = t.tx.QueryRowContext(t.ctx, `SELECT a.id, a.datetime, cl.bill_amount_cents, cl.transaction_currency, cl.exchange_rate,
		cl.merchant_name, cl.merchant_city, cl.merchant_country, cl.merchant_mcc,
		COALESCE((SELECT SUM(r.bill_amount_cents) FROM card_transactions r WHERE r.parent_id = a.id AND r.operation = 'REFUND' AND r.status = 'SUCCESS'), 0)
		FROM card_transactions cl JOIN card_transactions a ON a.id = cl.parent_id
		WHERE cl.card_id = ? AND cl.operation = 'CLEARING' AND cl.status = 'SUCCESS'
		`+pick, args...).
		Scan(&mv.parentID, &mv.parentAt, &cleared, &mv.currency, &mv.rate, &mv.m.Name, &mv.m.City, &mv.m.Country, &mv.m.MCC, &refunded)
	if errors.Is(err, sql.ErrNoRows) && chosen != "" {
		return &SimError{Code: SimCodeValidation, Reason: SimAuthorizationNotCleared, Field: SimAuthorizationField(t.req.Action), ID: chosen, Last4: c.last4}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &SimError{Code: SimCodeNotFound, Reason: SimNoCleared, Field: "card", ID: c.id}
	}
	if err != nil {
		return err
	}
	if _, ok := simCurrencies[mv.currency]; !ok {
		mv.currency = "USD"
	}
	if t.in.amount == 0 { // no amount given: what is left
		t.in.amount = cleared - refunded
		if t.in.amount <= 0 {
			return &SimError{Code: SimCodeValidation, Reason: SimRefundedInFull, Field: "amount"}
		}
	}
	if left := cleared - refunded; t.in.amount > left {
		return &SimError{Code: SimCodeValidation, Reason: SimRefundTooLarge, Field: "amount", Amount: t.in.amount, Limit: left}
	}
	mv.op, mv.bill = "REFUND", t.in.amount
	mv.simTxAmount, mv.rate = simTxAmount(mv.bill, mv.currency)
	return t.settle(c, mv, settlement{credits: true})
}

// threeDS sends a 3DS challenge for an active card; it moves no money.
func (t *simTx) threeDS() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	if c.status != "ACTIVE" {
		return &SimError{Code: SimCodeState, Reason: SimCardNotActive, Field: "card", Last4: c.last4, Status: c.status}
	}
	amt, _ := simTxAmount(t.in.amount, t.in.currency)
	var rb [4]byte
	rand.Read(rb[:])
	code := fmt.Sprintf("%06d", (uint32(rb[0])<<24|uint32(rb[1])<<16|uint32(rb[2])<<8|uint32(rb[3]))%1_000_000)
	status := "PENDING"
	if t.in.outcome != "SUCCESS" {
		status = t.in.outcome
	}
	t.res.TxAmount, t.res.Currency, t.res.Merchant, t.res.Balance = amt, t.in.currency, t.in.merchant.Name, c.balance
	return t.notify("CARDS", "NOTIFICATION_3DS_AUTHORIZATION", status, c.id, "", map[string]any{
		"card_id": c.id, "merchant_name": t.in.merchant.Name, "merchant_country_code": t.in.merchant.Country,
		"transaction_amount": simNumber(amt), "transaction_currency": t.in.currency,
		"transaction_timestamp": time.UnixMilli(t.now).UTC().Format(time.RFC3339), "code": code,
	})
}

type simWallet struct {
	id, address, blockchain, kind string
	enabled                       bool
}

func (t *simTx) wallet(id string) (simWallet, error) {
	var w simWallet
	id = strings.TrimSpace(id)
	if id == "" {
		return w, simInvalid(FieldErrors{"wallet": FieldRequired})
	}
	err := t.tx.QueryRowContext(t.ctx, `SELECT id, address, blockchain, kind, enabled FROM wallets WHERE id = ?`, id).
		Scan(&w.id, &w.address, &w.blockchain, &w.kind, &w.enabled)
	if errors.Is(err, sql.ErrNoRows) {
		return w, &SimError{Code: SimCodeValidation, Reason: SimWalletMissing, Field: "wallet", ID: id, missing: true}
	}
	return w, err
}

var simTokens = map[string][2]string{
	"USDC": {"USD Coin", "0x3c499c542cef5e3811e1192ce70d8cc03d5c3359"},
	"USDT": {"Tether USD", "0xc2132d05d31c914a87c6611c10748aeb04b58e8f"},
}

// simFee is the network fee kept from a wallet movement: 50 cents plus 0.1 %,
// as the seeded history has it.
func simFee(amount int64) int64 { return min(amount/2, 50+amount/1000) }

// walletMove writes a wallet movement and, when it succeeds, moves the
// token balance by delta. It returns the movement's id and transaction hash.
func (t *simTx) walletMove(w simWallet, kind, status, from, to string, amount, net, delta int64) (string, string, error) {
	id, hash := simUUID(), "0x"+simHex(64)
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO wallet_movements(id, wallet_id, kind, tx_hash, from_address, to_address,
		amount_cents, net_amount_cents, token_symbol, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, w.id, kind, hash, from, to, amount, net, t.in.token, status, t.now)
	if err != nil || status != "SUCCESS" {
		return id, hash, err
	}
	tok := simTokens[t.in.token]
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO wallet_balances(wallet_id, symbol, name, token_address, balance_cents)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT(wallet_id, symbol) DO UPDATE SET balance_cents = balance_cents + excluded.balance_cents`,
		w.id, t.in.token, tok[0], tok[1], delta)
	return id, hash, err
}

func (t *simTx) walletData(w simWallet, hash, from, to string, amount, net int64) map[string]any {
	tok := simTokens[t.in.token]
	d := map[string]any{
		"wallet_id": w.id, "wallet_address": w.address, "transaction_hash": hash, "blockchain": w.blockchain,
		"amount": simNumber(amount), "net_amount": simNumber(net),
		"token":      map[string]any{"name": tok[0], "symbol": t.in.token, "address": tok[1]},
		"created_at": time.UnixMilli(t.now).UTC().Format(time.RFC3339Nano),
	}
	if from != "" {
		d["from_wallet_address"] = from
	}
	if to != "" {
		d["to_wallet_address"] = to
	}
	return d
}

// depositCard credits a card with a deposit (at least 10 USD) less the
// network fee; a card with a top-up wallet gets the wallet movement too.
func (t *simTx) depositCard() error {
	c, err := t.card()
	if err != nil {
		return err
	}
	if t.in.amount < MinCardDepositCents {
		return &SimError{Code: SimCodeValidation, Reason: SimCardDepositTooSmall, Field: "amount", Amount: t.in.amount, Limit: MinCardDepositCents}
	}
	if c.status == "DELETED" {
		return &SimError{Code: SimCodeState, Reason: SimCardDeleted, Field: "card", Last4: c.last4}
	}
	fee := simFee(t.in.amount)
	net := t.in.amount - fee
	w := simWallet{blockchain: "POLYGON"}
	if c.walletID != "" {
		if w, err = t.wallet(c.walletID); err != nil {
			return err
		}
	}
	from := "0x" + simHex(40)
	status := t.in.outcome
	hash := "0x" + simHex(64)
	if w.id != "" {
		if _, hash, err = t.walletMove(w, "DEPOSIT", status, from, w.address, t.in.amount, net, net); err != nil {
			return err
		}
	}
	d := t.walletData(w, hash, from, "", t.in.amount, net)
	d["card_id"] = c.id
	t.res.Amount, t.res.Fee, t.res.Balance = t.in.amount, fee, c.balance
	if status == "SUCCESS" {
		d["original_balance"], d["new_balance"] = simNumber(c.balance), simNumber(c.balance+net)
		if err := t.setBalance(c.id, c.balance+net); err != nil {
			return err
		}
		t.res.Balance = c.balance + net
	}
	if err := t.notify("CARDS", "DEPOSIT", status, c.id, w.id, d); err != nil {
		return err
	}
	// The card's own record of the deposit, whatever its outcome: its
	// Movements and balance chart read it beside its transactions.
	var reason string
	if status != "SUCCESS" {
		reason = t.in.reason
	}
	_, err = t.tx.ExecContext(t.ctx, `INSERT INTO card_deposits(id, card_id, at, status, amount_cents, fee_cents, net_cents, token,
		original_balance_cents, new_balance_cents, wallet_id, tx_hash, from_address, reason, source_operation_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		simUUID(), c.id, t.now, status, t.in.amount, fee, net, t.in.token, c.balance, t.res.Balance, w.id, hash, from, reason,
		t.res.Outbox.OperationID)
	return err
}

// simWalletOperation is the notification product for a wallet's kind.
func simWalletOperation(kind string) string {
	switch kind {
	case "HOLDING":
		return "TREASURY"
	case "CARD":
		return "CARDS"
	}
	return "VIRTUAL_WALLETS"
}

// depositWallet credits a wallet (at least 1 USD) less the network fee.
func (t *simTx) depositWallet() error {
	w, err := t.wallet(t.req.WalletID)
	if err != nil {
		return err
	}
	if t.in.amount < MinWalletDepositCents {
		return &SimError{Code: SimCodeValidation, Reason: SimWalletDepositTooSmall, Field: "amount", Amount: t.in.amount, Limit: MinWalletDepositCents}
	}
	if !w.enabled {
		return &SimError{Code: SimCodeState, Reason: SimWalletNoDeposits, Field: "wallet", ID: w.id}
	}
	fee := simFee(t.in.amount)
	net := t.in.amount - fee
	from := "0x" + simHex(40)
	status := t.in.outcome
	_, hash, err := t.walletMove(w, "DEPOSIT", status, from, w.address, t.in.amount, net, net)
	if err != nil {
		return err
	}
	t.res.Amount, t.res.Fee, t.res.WalletID, t.res.Token = t.in.amount, fee, w.id, t.in.token
	return t.notify(simWalletOperation(w.kind), "DEPOSIT", status, "", w.id, t.walletData(w, hash, from, "", t.in.amount, net))
}

// withdraw takes an amount out of a wallet's token balance, which must
// cover it.
func (t *simTx) withdraw() error {
	w, err := t.wallet(t.req.WalletID)
	if err != nil {
		return err
	}
	if !w.enabled {
		return &SimError{Code: SimCodeState, Reason: SimWalletNoWithdrawals, Field: "wallet", ID: w.id}
	}
	var bal int64
	err = t.tx.QueryRowContext(t.ctx, `SELECT COALESCE((SELECT balance_cents FROM wallet_balances WHERE wallet_id = ? AND symbol = ?), 0)`,
		w.id, t.in.token).Scan(&bal)
	if err != nil {
		return err
	}
	if t.in.amount > bal && t.in.outcome == "SUCCESS" {
		return &SimError{Code: SimCodeState, Reason: SimWalletShort, Field: "amount", ID: w.id, Amount: t.in.amount, Limit: bal, Token: t.in.token}
	}
	fee := simFee(t.in.amount)
	net := t.in.amount - fee
	to := "0x" + simHex(40)
	status := t.in.outcome
	_, hash, err := t.walletMove(w, "WITHDRAW", status, w.address, to, t.in.amount, net, -t.in.amount)
	if err != nil {
		return err
	}
	t.res.Amount, t.res.Fee, t.res.WalletID, t.res.Token, t.res.Balance = t.in.amount, fee, w.id, t.in.token, bal
	if status == "SUCCESS" {
		t.res.Balance = bal - t.in.amount
	}
	return t.notify("VIRTUAL_WALLETS", "WITHDRAW", status, "", w.id, t.walletData(w, hash, "", to, t.in.amount, net))
}
