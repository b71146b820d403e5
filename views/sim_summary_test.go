package views

import (
	"testing"

	"cardops/store"
)

// Each simulation's result is worded from its facts, as the store worded it
// before it kept facts only.
func TestSimSummary(t *testing.T) {
	ok := func(r store.SimResult) store.SimResult { r.Outcome, r.Last4 = "SUCCESS", "4242"; return r }
	failed := func(r store.SimResult) store.SimResult {
		r.Outcome, r.Reason, r.Last4 = "FAILED", "network down", "4242"
		return r
	}
	for _, tc := range []struct {
		r    store.SimResult
		want string
	}{
		{ok(store.SimResult{Action: store.ActAuthorize, Amount: 1234, Balance: 8766}),
			"Authorized 12.34 USD on card •••• 4242: 12.34 USD held, available balance 87.66 USD."},
		{ok(store.SimResult{Action: store.ActAuthorize, Amount: 500, Balance: 100, Declined: true, DeclineCode: "51", DeclineText: "Insufficient funds"}),
			"Declined 5.00 USD on card •••• 4242: 51 Insufficient funds. Balance unchanged."},
		{ok(store.SimResult{Action: store.ActDecline, Amount: 500, Declined: true, DeclineCode: "05", DeclineText: "Do not honor"}),
			"Declined 5.00 USD on card •••• 4242: 05 Do not honor. Balance unchanged."},
		{failed(store.SimResult{Action: store.ActAuthorize, Amount: 500}), "Authorization of 5.00 USD failed (network down); no hold."},
		{ok(store.SimResult{Action: store.ActClearing, Amount: 1000, Balance: 9000}), "Cleared 10.00 USD on card •••• 4242; balance stays 90.00 USD."},
		{failed(store.SimResult{Action: store.ActClearing, Amount: 1000}), "Clearing of 10.00 USD failed (network down); the authorization stays open."},
		{ok(store.SimResult{Action: store.ActReversal, Amount: 1000, Balance: 10000}),
			"Reversed 10.00 USD on card •••• 4242: hold released, available balance 100.00 USD."},
		{failed(store.SimResult{Action: store.ActReversal, Amount: 1000}), "Reversal of 10.00 USD failed (network down); the hold stays."},
		{ok(store.SimResult{Action: store.ActRefund, Amount: 1000, Balance: 123456}), "Refunded 10.00 USD to card •••• 4242: balance 1,234.56 USD."},
		{failed(store.SimResult{Action: store.ActRefund, Amount: 1000}), "Refund of 10.00 USD failed (network down); nothing credited."},
		{ok(store.SimResult{Action: store.Act3DS, TxAmount: 920, Currency: "EUR", Merchant: "Sandbox Store"}),
			"3DS challenge for 9.20 EUR at Sandbox Store on card •••• 4242 (pending)."},
		{failed(store.SimResult{Action: store.Act3DS, TxAmount: 920, Currency: "EUR", Merchant: "Sandbox Store"}),
			"3DS challenge for 9.20 EUR at Sandbox Store on card •••• 4242 (failed)."},
		{ok(store.SimResult{Action: store.ActDepositCard, Amount: 10000, Fee: 60, Balance: 9940}),
			"Deposited 100.00 USD to card •••• 4242 (fee 0.60): balance 99.40 USD."},
		{failed(store.SimResult{Action: store.ActDepositCard, Amount: 10000}), "Deposit of 100.00 USD to card •••• 4242 failed (network down); nothing credited."},
		{ok(store.SimResult{Action: store.ActDepositWallet, Amount: 500, Fee: 50, WalletID: "w-1", Token: "USDC"}),
			"Deposited 5.00 USDC to wallet w-1 (fee 0.50)."},
		{failed(store.SimResult{Action: store.ActDepositWallet, Amount: 500, WalletID: "w-1", Token: "USDT"}),
			"Deposit of 5.00 USDT to wallet w-1 failed (network down); nothing credited."},
		{ok(store.SimResult{Action: store.ActWithdraw, Amount: 5050, Fee: 55, Balance: 5000, WalletID: "w-1", Token: "USDC"}),
			"Withdrew 50.50 USDC from wallet w-1 (fee 0.55): 50.00 USDC left."},
		{failed(store.SimResult{Action: store.ActWithdraw, Amount: 5050, WalletID: "w-1", Token: "USDC"}),
			"Withdrawal of 50.50 USDC from wallet w-1 failed (network down); nothing moved."},
	} {
		if got := SimSummary(tc.r); got != tc.want {
			t.Errorf("%s %s:\n got  %s\n want %s", tc.r.Action, tc.r.Outcome, got, tc.want)
		}
	}
}
