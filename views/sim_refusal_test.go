package views

import (
	"strings"
	"testing"

	"cardops/store"
)

// Every field code and every reason the store can refuse a simulation with
// has its own words (not the fallback), and an input refusal names each
// wrong field in the form's order.
func TestWordSimRefusal(t *testing.T) {
	typed := func(string) string { return "typed" }
	for field, codes := range map[string][]string{
		"action": {store.FieldInvalid}, "card": {store.FieldRequired}, "wallet": {store.FieldRequired},
		"amount":   {store.FieldRequired, store.FieldNegative, store.FieldInvalid, store.FieldTooPrecise, store.FieldTooLarge, store.FieldZero},
		"currency": {store.FieldInvalid}, "merchant_name": {store.FieldTooLong}, "merchant_city": {store.FieldTooLong},
		"merchant_country": {store.FieldInvalid}, "merchant_mcc": {store.FieldInvalid},
		"outcome": {store.FieldNotAllowed, store.FieldInvalid}, "reason": {store.FieldRequired, store.FieldTooLong},
		"token": {store.FieldInvalid}, "n": {store.FieldInvalid}, "event": {store.FieldRequired, store.FieldNoBody},
		"mode": {store.FieldInvalid}, "payload": {store.FieldTooLong, store.FieldNoOperation},
	} {
		for _, code := range codes {
			got := WordSimRefusal(&store.SimError{Reason: store.SimInputInvalid, Fields: store.FieldErrors{field: code}}, typed)
			if strings.HasPrefix(got.Message, "The field ") || got.Fields[field] != got.Message {
				t.Errorf("%s/%s: %+v, want its own words on the field", field, code, got)
			}
		}
	}
	for _, reason := range []string{store.SimCardMissing, store.SimWalletMissing, store.SimNoAuthorization, store.SimNoCleared,
		store.SimAuthorizationNotOpen, store.SimAuthorizationNotCleared, store.SimReversalTooLarge, store.SimRefundedInFull,
		store.SimRefundTooLarge, store.SimCardDepositTooSmall, store.SimWalletDepositTooSmall, store.SimCardNotActive,
		store.SimCardDeleted, store.SimWalletNoDeposits, store.SimWalletNoWithdrawals, store.SimWalletShort, store.SimPayloadNotJSON} {
		got := WordSimRefusal(&store.SimError{Reason: reason, Field: "card"}, typed)
		if strings.HasPrefix(got.Message, "The simulation was refused") || got.Fields["card"] != got.Message {
			t.Errorf("%s: %+v, want its own words", reason, got)
		}
	}
	got := WordSimRefusal(&store.SimError{Reason: store.SimInputInvalid,
		Fields: store.FieldErrors{"token": store.FieldInvalid, "amount": store.FieldZero}}, typed)
	if want := "The amount is zero; enter an amount above zero. Unknown token \"typed\"; use USDC or USDT."; got.Message != want {
		t.Errorf("two wrong fields: %q, want %q", got.Message, want)
	}
}
