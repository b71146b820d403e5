package views

import (
	"fmt"
	"strconv"
	"strings"

	"cardops/store"
)

// SimRefusal is a refused simulation, replay, edited notification or burst
// in words: the whole of it, and what is wrong with each field at fault.
type SimRefusal struct {
	Message string
	Fields  map[string]string
}

// simFieldOrder is the order a refusal names wrong fields in: the forms'.
var simFieldOrder = []string{"action", "card", "wallet", "event", "n", "amount", "currency", "merchant_name",
	"merchant_city", "merchant_country", "merchant_mcc", "outcome", "reason", "token", "mode", "payload"}

// WordSimRefusal words se. typed gives what was typed into a field, so that
// a message can quote it.
func WordSimRefusal(se *store.SimError, typed func(field string) string) SimRefusal {
	if se.Reason != store.SimInputInvalid {
		msg := simReasonMessage(se)
		out := SimRefusal{Message: msg}
		if se.Field != "" {
			out.Fields = map[string]string{se.Field: msg}
		}
		return out
	}
	out := SimRefusal{Fields: map[string]string{}}
	var all []string
	for _, f := range simFieldOrder {
		if code, ok := se.Fields[f]; ok {
			out.Fields[f] = simFieldMessage(f, code, typed(f))
			all = append(all, out.Fields[f])
		}
	}
	// A field the order does not know yet is still named, last.
	for f, code := range se.Fields {
		if _, ok := out.Fields[f]; !ok {
			out.Fields[f] = simFieldMessage(f, code, typed(f))
			all = append(all, out.Fields[f])
		}
	}
	out.Message = strings.Join(all, " ")
	return out
}

// Typed is what the form holds for field (as the form names it), for
// WordSimRefusal.
func (f SimForm) Typed(field string) string {
	switch field {
	case "card":
		return f.CardID
	case "wallet":
		return f.WalletID
	case "amount":
		return f.Amount
	case "currency":
		return f.Currency
	case "merchant_name":
		return f.MerchantName
	case "merchant_city":
		return f.MerchantCity
	case "merchant_country":
		return f.MerchantCountry
	case "merchant_mcc":
		return f.MerchantMCC
	case "outcome":
		return f.Outcome
	case "reason":
		return f.Reason
	case "token":
		return f.Token
	case "authorization":
		return f.Authorization
	case "refund_of":
		return f.RefundOf
	}
	return ""
}

// quoteTyped quotes a value someone typed, cut short: a message repeats it,
// not all of it.
func quoteTyped(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}

func usd(cents int64) string { return FormatCents(cents, "USD") }

// simFieldMessage words one wrong field of a simulation form; typed is what
// the field held.
func simFieldMessage(field, code, typed string) string {
	typed = strings.TrimSpace(typed)
	switch field + "/" + code {
	case "action/" + store.FieldInvalid:
		return fmt.Sprintf("Unknown simulation %s.", quoteTyped(typed))
	case "card/" + store.FieldRequired:
		return "Pick a card."
	case "wallet/" + store.FieldRequired:
		return "Pick a wallet."
	case "amount/" + store.FieldRequired:
		return "Enter an amount, e.g. 12.34."
	case "amount/" + store.FieldNegative:
		return fmt.Sprintf("The amount %s is negative; enter an amount above zero.", quoteTyped(typed))
	case "amount/" + store.FieldInvalid:
		return fmt.Sprintf("The amount %s is not a number; write it like 12.34.", quoteTyped(typed))
	case "amount/" + store.FieldTooPrecise:
		return fmt.Sprintf("The amount %s has more than two decimals; cents are the smallest unit.", quoteTyped(typed))
	case "amount/" + store.FieldTooLarge:
		return fmt.Sprintf("The amount %s is too large: at most %s.", quoteTyped(typed), usd(store.MaxSimAmountCents))
	case "amount/" + store.FieldZero:
		return "The amount is zero; enter an amount above zero."
	case "currency/" + store.FieldInvalid:
		return fmt.Sprintf("Unknown currency %s; use one of %s.", quoteTyped(typed), strings.Join(store.SimCurrencies, ", "))
	case "merchant_name/" + store.FieldTooLong:
		return fmt.Sprintf("The merchant name is longer than %d characters.", store.MaxMerchantName)
	case "merchant_city/" + store.FieldTooLong:
		return fmt.Sprintf("The merchant city is longer than %d characters.", store.MaxMerchantCity)
	case "merchant_country/" + store.FieldInvalid:
		return fmt.Sprintf("The merchant country %s is not a two-letter code such as US.", quoteTyped(strings.ToUpper(typed)))
	case "merchant_mcc/" + store.FieldInvalid:
		return fmt.Sprintf("The MCC %s is not four digits such as 5999.", quoteTyped(typed))
	case "outcome/" + store.FieldNotAllowed:
		return "A declined authorization has no failed or cancelled variant."
	case "outcome/" + store.FieldInvalid:
		return fmt.Sprintf("Unknown outcome %s; use SUCCESS, FAILED or CANCELLED.", quoteTyped(typed))
	case "reason/" + store.FieldRequired:
		return "Give a reason for the failed or cancelled variant."
	case "reason/" + store.FieldTooLong:
		return fmt.Sprintf("The reason is longer than %d characters.", store.MaxSimReason)
	case "token/" + store.FieldInvalid:
		return fmt.Sprintf("Unknown token %s; use USDC or USDT.", quoteTyped(typed))
	case "n/" + store.FieldInvalid:
		return fmt.Sprintf("The number of notifications %s is not a whole number between 1 and %d.", quoteTyped(typed), store.MaxBurst)
	case "event/" + store.FieldRequired:
		return "Say which event to replay."
	case "event/" + store.FieldNoBody:
		return "This event has no stored body to replay."
	case "mode/" + store.FieldInvalid:
		return fmt.Sprintf("Unknown delivery mode %s.", quoteTyped(typed))
	case "payload/" + store.FieldTooLong:
		return fmt.Sprintf("The payload is %s bytes; at most %s are allowed.", FormatCount(len(typed)), FormatCount(store.MaxEditedBody))
	case "payload/" + store.FieldNoOperation:
		return "The payload needs an operation and an operation_id."
	}
	return fmt.Sprintf("The field %s is not valid (%s).", field, code)
}

// simReasonMessage words a refusal that is not about input alone: the
// sandbox's state refused it.
func simReasonMessage(se *store.SimError) string {
	switch se.Reason {
	case store.SimCardMissing:
		return fmt.Sprintf("Card not found: %s.", store.MaskCardNumbers(se.ID))
	case store.SimWalletMissing:
		return fmt.Sprintf("Wallet not found: %s.", se.ID)
	case store.SimNoAuthorization:
		return fmt.Sprintf("Authorization event not found for card %s.", se.ID)
	case store.SimNoCleared:
		return fmt.Sprintf("Cleared transaction not found for card %s.", se.ID)
	case store.SimAuthorizationNotOpen:
		return fmt.Sprintf("The authorization %s is not an open authorization of card •••• %s (it may be cleared or reversed already, or belong to another card); pick one of the open ones.",
			quoteTyped(se.ID), se.Last4)
	case store.SimAuthorizationNotCleared:
		return fmt.Sprintf("The authorization %s is not a cleared authorization of card •••• %s; pick one of the cleared ones.", quoteTyped(se.ID), se.Last4)
	case store.SimReversalTooLarge:
		return fmt.Sprintf("The reversal of %s is more than the %s the authorization still holds.", usd(se.Amount), usd(se.Limit))
	case store.SimRefundedInFull:
		return "The cleared transaction has been refunded in full already."
	case store.SimRefundTooLarge:
		return fmt.Sprintf("The refund of %s is more than the %s left to refund on that cleared transaction.", usd(se.Amount), usd(se.Limit))
	case store.SimCardDepositTooSmall:
		return fmt.Sprintf("A deposit to a card must be at least %s (the provider's minimum); %s is below it.", usd(se.Limit), usd(se.Amount))
	case store.SimWalletDepositTooSmall:
		return fmt.Sprintf("A deposit to a wallet must be at least %s (the provider's minimum); %s is below it.", usd(se.Limit), usd(se.Amount))
	case store.SimCardNotActive:
		return fmt.Sprintf("Card •••• %s is %s; a 3DS challenge needs an ACTIVE card.", se.Last4, se.Status)
	case store.SimCardDeleted:
		return fmt.Sprintf("Card •••• %s is DELETED; it takes no deposits.", se.Last4)
	case store.SimWalletNoDeposits:
		return fmt.Sprintf("Wallet %s is disabled; it takes no deposits.", se.ID)
	case store.SimWalletNoWithdrawals:
		return fmt.Sprintf("Wallet %s is disabled; nothing can be withdrawn.", se.ID)
	case store.SimWalletShort:
		return fmt.Sprintf("Wallet %s holds %s; it cannot withdraw %s.", se.ID, FormatCents(se.Limit, se.Token), FormatCents(se.Amount, se.Token))
	case store.SimBurstRunning:
		if b := se.Burst; b != nil {
			return fmt.Sprintf("Burst #%d is still being delivered (%s of %s notifications pending): one burst goes out at a time, so start the next once it is done, or stop it.",
				b.ID, FormatCount(b.Pending), FormatCount(b.Total))
		}
		return fmt.Sprintf("Burst #%s is still being delivered: one burst goes out at a time, so start the next once it is done, or stop it.", se.ID)
	case store.SimBurstDone:
		return fmt.Sprintf("Burst #%s has nothing left to send: it is done, so there is nothing to stop.", se.ID)
	case store.SimPayloadNotJSON:
		if se.Offset > 0 {
			return fmt.Sprintf("The payload is not valid JSON (at byte %d): %s.", se.Offset, se.Detail)
		}
		return fmt.Sprintf("The payload is not valid JSON: %s.", se.Detail)
	}
	return "The simulation was refused (" + se.Reason + ")."
}
