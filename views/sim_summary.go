package views

import (
	"fmt"
	"strings"

	"cardops/store"
)

// SimSummary says in words what a simulation did, for its result box.
func SimSummary(r store.SimResult) string {
	card := "card •••• " + r.Last4
	amount := FormatCents(r.Amount, "USD")
	if r.Outcome != "" && r.Outcome != "SUCCESS" && r.Action != store.Act3DS && !r.Declined {
		// The FAILED / CANCELLED variant: nothing moved.
		variant := fmt.Sprintf("%s (%s)", strings.ToLower(r.Outcome), r.Reason)
		switch r.Action {
		case store.ActAuthorize:
			return fmt.Sprintf("Authorization of %s %s; no hold.", amount, variant)
		case store.ActClearing:
			return fmt.Sprintf("Clearing of %s %s; the authorization stays open.", amount, variant)
		case store.ActReversal:
			return fmt.Sprintf("Reversal of %s %s; the hold stays.", amount, variant)
		case store.ActRefund:
			return fmt.Sprintf("Refund of %s %s; nothing credited.", amount, variant)
		case store.ActDepositCard:
			return fmt.Sprintf("Deposit of %s to %s %s; nothing credited.", amount, card, variant)
		case store.ActDepositWallet:
			return fmt.Sprintf("Deposit of %s to wallet %s %s; nothing credited.", FormatCents(r.Amount, r.Token), r.WalletID, variant)
		case store.ActWithdraw:
			return fmt.Sprintf("Withdrawal of %s from wallet %s %s; nothing moved.", FormatCents(r.Amount, r.Token), r.WalletID, variant)
		}
	}
	balance := FormatCents(r.Balance, "USD")
	switch r.Action {
	case store.ActAuthorize, store.ActDecline:
		if r.Declined {
			return fmt.Sprintf("Declined %s on %s: %s %s. Balance unchanged.", amount, card, r.DeclineCode, r.DeclineText)
		}
		return fmt.Sprintf("Authorized %s on %s: %s held, available balance %s.", amount, card, amount, balance)
	case store.ActClearing:
		return fmt.Sprintf("Cleared %s on %s; balance stays %s.", amount, card, balance)
	case store.ActReversal:
		return fmt.Sprintf("Reversed %s on %s: hold released, available balance %s.", amount, card, balance)
	case store.ActRefund:
		return fmt.Sprintf("Refunded %s to %s: balance %s.", amount, card, balance)
	case store.Act3DS:
		status := "pending"
		if r.Outcome != "" && r.Outcome != "SUCCESS" {
			status = strings.ToLower(r.Outcome)
		}
		return fmt.Sprintf("3DS challenge for %s at %s on %s (%s).", FormatCents(r.TxAmount, r.Currency), r.Merchant, card, status)
	case store.ActDepositCard:
		return fmt.Sprintf("Deposited %s to %s (fee %s): balance %s.", amount, card, FormatCents(r.Fee, ""), balance)
	case store.ActDepositWallet:
		return fmt.Sprintf("Deposited %s to wallet %s (fee %s).", FormatCents(r.Amount, r.Token), r.WalletID, FormatCents(r.Fee, ""))
	case store.ActWithdraw:
		return fmt.Sprintf("Withdrew %s from wallet %s (fee %s): %s left.", FormatCents(r.Amount, r.Token), r.WalletID, FormatCents(r.Fee, ""), FormatCents(r.Balance, r.Token))
	}
	return "Done: " + r.Action + "."
}
