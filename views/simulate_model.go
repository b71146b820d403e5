package views

import (
	"fmt"
	"slices"
	"strconv"

	"cardops/store"
)

// SimForm is the simulation form as typed, with its field errors.
type SimForm struct {
	CardID          string
	WalletID        string
	Amount          string
	Currency        string
	MerchantName    string
	MerchantCity    string
	MerchantCountry string
	MerchantMCC     string
	Outcome         string
	Reason          string
	Token           string
	// Authorization is the open authorization a clearing or reversal
	// applies to, RefundOf the cleared one a refund applies to; "" is the
	// newest.
	Authorization string
	RefundOf      string
	// Errors maps a field name (as in the form) to its message.
	Errors map[string]string
}

// NewSimForm is a fresh simulation form for a card or wallet: the merchant
// fields hold the values the sandbox uses when they are left empty, so what
// the form shows is what is sent; the amount is left for the operator.
func NewSimForm(cardID, walletID string) SimForm {
	return SimForm{CardID: cardID, WalletID: walletID, Currency: "USD", MerchantName: "Sandbox Store",
		MerchantCity: "San Francisco", MerchantCountry: "US", MerchantMCC: "5999", Outcome: "SUCCESS", Token: "USDC"}
}

// SimAuthorizations are the authorizations the form offers, newest first.
type SimAuthorizations struct {
	// Open ones, for a clearing or a reversal.
	Open []store.SimAuthorization
	// Refundable ones (cleared, something left), for a refund.
	Refundable []store.SimAuthorization
}

// simAuthLabel is an open authorization as the clearing and reversal
// picker offers it: its amount, merchant, time and id.
func simAuthLabel(a store.SimAuthorization) string {
	s := FormatCents(a.AmountCents, "USD") + " · " + a.MerchantName + " · " + FormatMillis(a.At) + " · " + shortID(a.ID, "")
	if a.LeftCents > 0 && a.LeftCents != a.AmountCents {
		s = FormatCents(a.LeftCents, "USD") + " left of " + s
	}
	return s
}

// simRefundLabel is a cleared authorization as the refund picker offers
// it: the clearing's amount and time, said to be the clearing's, and the
// id of the authorization the refund applies to, said to be that.
func simRefundLabel(a store.SimAuthorization) string {
	s := FormatCents(a.AmountCents, "USD") + " cleared " + FormatMillis(a.At) + " · " + a.MerchantName + " · of authorization " + shortID(a.ID, "")
	if a.LeftCents > 0 && a.LeftCents != a.AmountCents {
		s = FormatCents(a.LeftCents, "USD") + " left of " + s
	}
	return s
}

// simAmountLabel labels the amount in the currency of the actions the form
// offers: USD for a card's, the token for a wallet's (the card page offers
// only a card's).
func simAmountLabel(withCard, withWallet bool) string {
	switch {
	case withCard && withWallet:
		return "Amount (USD for a card action; USDC or USDT, as the wallet token below, for a wallet action)"
	case withWallet:
		return "Amount (USDC or USDT, as the wallet token below)"
	}
	return "Amount (USD)"
}

// simAuthSelected reports whether option i (id) is the selected one: the
// chosen id, or the newest when none is chosen or the chosen one is gone.
func simAuthSelected(list []store.SimAuthorization, chosen string, i int) bool {
	if chosen == "" || !slices.ContainsFunc(list, func(a store.SimAuthorization) bool { return a.ID == chosen }) {
		return i == 0
	}
	return list[i].ID == chosen
}

// Err returns the error for field, "" when there is none.
func (f SimForm) Err(field string) string { return f.Errors[field] }

// SimOutcome is the answer to one press of a simulation button.
type SimOutcome struct {
	OK bool
	// NotApproved is set, with OK, for an action the sandbox carried out
	// as asked but that approved nothing: a declined authorization or a
	// FAILED / CANCELLED variant. It is not an error, nor an approval.
	NotApproved bool
	Message     string
	// Outbox is the notification's row, when one was written.
	Outbox store.OutboxMessage
	// Target is where the dispatcher delivers.
	Target string
}

// SimDone is the answer to an action the sandbox carried out, delivered to
// target.
func SimDone(r store.SimResult, target string) *SimOutcome {
	return &SimOutcome{OK: true, NotApproved: r.Declined || (r.Outcome != "" && r.Outcome != "SUCCESS"),
		Message: SimSummary(r), Outbox: r.Outbox, Target: target}
}

// SimEditor is the payload editor: the notification an action will send,
// as QA edits it.
type SimEditor struct {
	Action  string
	Payload string
	Mode    string
	Error   string
	// Result is what the last send did.
	Result *SimOutcome
}

// SimulatePageData is the Simulate page's model.
type SimulatePageData struct {
	Form        SimForm
	Auths       SimAuthorizations
	Card        *store.SimCardSummary
	Wallet      *store.SimWalletSummary
	CardQuery   string
	WalletQuery string
	CardPicks   []store.SimCardSummary
	WalletPicks []store.SimWalletSummary
	Result      *SimOutcome
	Deliveries  []store.OutboxMessage
	Target      string
	Editor      SimEditor
	Burst       *store.Burst
	// Delivery is one outbox row opened with its attempts.
	Delivery *SimDeliveryView
}

// SimDeliveryView is one outbox row with every attempt.
type SimDeliveryView struct {
	Message  store.OutboxMessage
	Attempts []store.OutboxAttempt
}

// simDeliveryURL opens a delivery with its attempts, on the Simulate page
// of the card it was made from, if any.
func simDeliveryURL(id int64, cardID string) string {
	u := "/simulate/deliveries/" + strconv.FormatInt(id, 10)
	if cardID != "" {
		u += "?card=" + urlQuery(cardID)
	}
	return u
}

func attemptAnswer(a store.OutboxAttempt) string {
	if a.HTTPStatus != 0 {
		return statusText(a.HTTPStatus)
	}
	return "no answer"
}

// SimActionLabels names each simulation action on its button.
var SimActionLabels = map[string]string{
	store.ActAuthorize:     "Authorize",
	store.ActClearing:      "Clearing",
	store.ActRefund:        "Refund",
	store.ActReversal:      "Reversal",
	store.ActDecline:       "Decline (05)",
	store.Act3DS:           "3DS challenge",
	store.ActDepositCard:   "Deposit to card",
	store.ActDepositWallet: "Deposit to wallet",
	store.ActWithdraw:      "Withdraw from wallet",
}

// simCardActions are the actions that act on a card.
var simCardActions = []string{store.ActAuthorize, store.ActClearing, store.ActRefund, store.ActReversal,
	store.ActDecline, store.Act3DS, store.ActDepositCard}

// simWalletActions are the actions that act on a wallet.
var simWalletActions = []string{store.ActDepositWallet, store.ActWithdraw}

// SimDeliveryModes lists the delivery modes with their labels.
var SimDeliveryModes = [][2]string{
	{store.ModeNormal, "Normal (signed, fresh)"},
	{store.ModeBadKey, "Broken: wrong key and signature"},
	{store.ModeStaleTimestamp, "Broken: timestamp an hour old"},
	{store.ModeMalformedJSON, "Broken: malformed JSON"},
}

func simItoa(n int64) string { return strconv.FormatInt(n, 10) }

func simDeliveriesURL(cardID string) string {
	u := "/simulate/deliveries"
	if cardID != "" {
		u += "?card=" + urlQuery(cardID)
	}
	return u
}

func simPickCardURL(d SimulatePageData, id string) string {
	u := "/simulate?card=" + urlQuery(id)
	if d.Form.WalletID != "" {
		u += "&wallet=" + urlQuery(d.Form.WalletID)
	}
	return u
}

func simPickWalletURL(d SimulatePageData, id string) string {
	u := "/simulate?wallet=" + urlQuery(id)
	if d.Form.CardID != "" {
		u += "&card=" + urlQuery(d.Form.CardID)
	}
	return u
}

// burstText says how far a burst got: "Burst #3: 10 of 40 delivered, 2
// refused, 28 pending (35 attempts so far)", or "… — done." once nothing
// is pending; a stopped burst says by whom and when.
func burstText(b store.Burst) string {
	out := fmt.Sprintf("Burst #%d: %s of %s delivered", b.ID, FormatCount(b.Delivered), FormatCount(b.Total))
	if b.Refused > 0 {
		out += ", " + FormatCount(b.Refused) + " refused"
	}
	if b.Stopped > 0 {
		out += ", " + FormatCount(b.Stopped) + " not sent (stopped by " + b.StoppedBy + " at " + FormatMillis(b.StoppedAt) + ")"
	}
	if b.Pending > 0 {
		return out + fmt.Sprintf(", %s pending (%s attempts so far)", FormatCount(b.Pending), FormatCount(b.Attempts))
	}
	return out + " — done."
}

func burstPercent(b store.Burst) string {
	if b.Total == 0 {
		return "0"
	}
	return strconv.Itoa((b.Total - b.Pending) * 100 / b.Total)
}

func lastAttemptText(m store.OutboxMessage) string {
	switch {
	case m.Attempts == 0:
		return "not tried yet"
	case m.LastStatus != 0:
		return "HTTP " + strconv.Itoa(m.LastStatus)
	case m.LastError != "":
		return m.LastError
	}
	return "no answer"
}
