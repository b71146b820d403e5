package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

// TestSimulatePanelsFollowTheAction: after an action pressed on the Simulate
// page, the answer carries the Card and Wallet panels as they are now
// (swapped out of band), so the balances shown agree with the result.
func TestSimulatePanelsFollowTheAction(t *testing.T) {
	cardPanel := `<div id="sim-card-summary" hx-swap-oob="true">`
	walletPanel := `<div id="sim-wallet-summary" hx-swap-oob="true">`
	runScenarios(t, []scenario{
		{
			name: "authorize: the card panel shows the balance after the hold", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "wallet": {simWalletID}, "amount": {"12.34"}},
			wantStatus:   http.StatusOK,
			wantContains: []string{`id="sim-action"`, "Authorized 12.34 USD", cardPanel, `<dd data-testid="sim-card-balance">87.66 USD</dd>`, walletPanel},
		},
		{
			name: "clearing: the card panel shows the balance the result names", method: "POST", url: "/simulate/clearing", as: store.LevelOperational,
			wantAudit: []string{"simulate.clearing ok"},
			before:    simAuthorizeFirst, headers: simHTMX, form: url.Values{"card": {simCardID}},
			wantStatus:   http.StatusOK,
			wantContains: []string{"balance stays 90.00 USD", cardPanel, `<dd data-testid="sim-card-balance">90.00 USD</dd>`},
		},
		{
			name: "withdraw: the wallet panel shows what is left", method: "POST", url: "/simulate/withdraw", as: store.LevelOperational,
			wantAudit: []string{"simulate.withdraw ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"wallet": {simWalletID}, "amount": {"10"}, "token": {"USDC"}},
			wantStatus:   http.StatusOK,
			wantContains: []string{"Withdrew 10.00 USDC", walletPanel, cardPanel, "No card picked yet."},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				w, err := e.store.SimWallet(context.Background(), simWalletID)
				if err != nil {
					t.Fatal(err)
				}
				if w.USDC >= 5000 {
					t.Fatalf("wallet holds %d, want less than before the withdrawal", w.USDC)
				}
				want := `<dd data-testid="sim-wallet-balances">` + views.FormatCents(w.USDC, "USDC") + " · "
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("the answer's wallet panel lacks %q:\n%s", want, rec.Body.String())
				}
			},
		},
		{
			name: "a refusal brings the panels too", method: "POST", url: "/simulate/clearing", as: store.LevelOperational,
			wantAudit: []string{"simulate.clearing refused"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}},
			wantStatus:   http.StatusOK,
			wantContains: []string{`role="alert"`, cardPanel, `<dd data-testid="sim-card-balance">100.00 USD</dd>`},
		},
		{
			name: "the page itself does not swap its panels out of band", method: "GET", url: "/simulate?card=" + simCardID + "&wallet=" + simWalletID,
			as: store.LevelOperational, before: addSimCard, wantStatus: http.StatusOK,
			wantContains:    []string{`<div id="sim-card-summary">`, `<div id="sim-wallet-summary">`, `<dd data-testid="sim-card-balance">100.00 USD</dd>`},
			wantNotContains: []string{"hx-swap-oob"},
		},
	})
}

// TestSimulateRefundPicker: the refund picker offers a cleared
// authorization by its clearing (amount and time, said to be the clearing's)
// and names the authorization it refunds as such.
func TestSimulateRefundPicker(t *testing.T) {
	const authID, clearingID = "aaaaaaaa-1111-4111-8111-111111111111", "cccccccc-1111-4111-8111-111111111111"
	runScenarios(t, []scenario{{
		name: "a clearing's time is not shown as the authorization's", method: "GET", url: "/simulate?card=" + simCardID, as: store.LevelOperational,
		before: func(t *testing.T, e *testEnv) {
			storetest.AddCard(t, e.store, storetest.Card{ID: simCardID, Holder: "Zoë Tester", Last4: "4242", Balance: 10000, Movements: []storetest.Movement{
				{ID: authID, At: 1_700_000_000_000, Operation: "AUTHORIZATION", Amount: 456, Merchant: "Corner", NewBalance: 9544},
				{ID: clearingID, At: 1_700_000_002_000, Operation: "CLEARING", Amount: 456, Merchant: "Corner", ParentID: authID, NewBalance: 9544},
			}})
		},
		wantStatus: http.StatusOK,
		wantContains: []string{
			`<option value="` + authID + `" selected>4.56 USD cleared 2023-11-14 22:13:22 UTC · Corner · of authorization aaaaaaaa…</option>`,
		},
	}})
}

// TestSimulateAmountLabel: the amount is labelled in the currency of the
// actions the page offers: USD for a card, the wallet's token for a wallet.
func TestSimulateAmountLabel(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "a card only: USD", method: "GET", url: "/simulate?card=" + simCardID, as: store.LevelOperational,
			before: addSimCard, wantStatus: http.StatusOK,
			wantContains: []string{`<label for="sim-amount">Amount (USD)</label>`},
		},
		{
			name: "a wallet only: its token, not USD", method: "GET", url: "/simulate?wallet=" + simWalletID, as: store.LevelOperational,
			before: addSimCard, wantStatus: http.StatusOK,
			wantContains:    []string{`<label for="sim-amount">Amount (USDC or USDT, as the wallet token below)</label>`, "1 USDC or USDT to a wallet"},
			wantNotContains: []string{"Amount (USD)", "1 USD to a wallet"},
		},
		{
			name: "both: each kind of action with its currency", method: "GET", url: "/simulate?card=" + simCardID + "&wallet=" + simWalletID, as: store.LevelOperational,
			before: addSimCard, wantStatus: http.StatusOK,
			wantContains:    []string{`<label for="sim-amount">Amount (USD for a card action; USDC or USDT, as the wallet token below, for a wallet action)</label>`},
			wantNotContains: []string{"Amount (USD)"},
		},
		{
			name: "the card page: USD", method: "GET", url: "/cards/" + simCardID, as: store.LevelOperational,
			before: addSimCard, wantStatus: http.StatusOK,
			wantContains: []string{`<label for="sim-amount">Amount (USD)</label>`}, wantNotContains: []string{"USDT"},
		},
	})
}

// TestSimulateDeclineLooksDeclined: a decline is not an error (the QA person
// asked for it) but it is not shown as an approval either.
func TestSimulateDeclineLooksDeclined(t *testing.T) {
	declined := []string{`<div class="flash warn" role="status" data-testid="sim-result">`, "Declined"}
	notOK := []string{"flash ok", "flash error"}
	runScenarios(t, []scenario{
		{
			name: "a forced decline", method: "POST", url: "/simulate/decline", as: store.LevelOperational,
			wantAudit: []string{"simulate.decline ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"5"}},
			wantStatus: http.StatusOK, wantContains: append(declined, "05 Do not honor"), wantNotContains: notOK,
		},
		{
			name: "an authorization over the balance", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"5000"}},
			wantStatus: http.StatusOK, wantContains: append(declined, "51 Insufficient funds"), wantNotContains: notOK,
		},
		{
			name: "on the card page too", method: "POST", url: "/cards/" + simCardID + "/simulate/decline", as: store.LevelOperational,
			wantAudit: []string{"simulate.decline ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"amount": {"5"}},
			wantStatus: http.StatusOK, wantContains: declined, wantNotContains: notOK,
		},
		{
			name: "a FAILED variant asked for", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"5"}, "outcome": {"FAILED"}, "reason": {"issuer down"}},
			wantStatus: http.StatusOK, wantContains: []string{`<div class="flash warn" role="status" data-testid="sim-result">`, "failed (issuer down)"},
			wantNotContains: notOK,
		},
		{
			name: "an approval stays green", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"5"}},
			wantStatus: http.StatusOK, wantContains: []string{`<div class="flash ok" role="status" data-testid="sim-result">`},
			wantNotContains: []string{"flash warn"},
		},
	})
}
