package store

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func openSimStore(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "sim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// simFixture is a card and wallet to simulate on.
type simFixture struct {
	cardID, walletID, virtualID string
}

// addSimCard inserts a card with balance cents, status and optional daily
// limit, with a CARD wallet, and a VIRTUAL wallet holding 100 USDC.
func addSimCard(t *testing.T, st *Store, status string, balance int64, dailyLimit any) simFixture {
	t.Helper()
	f := simFixture{cardID: simUUID(), walletID: simUUID(), virtualID: simUUID()}
	now := st.nowMs()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO wallets(id, alias, client_id, address, blockchain, kind, enabled, created_at) VALUES (?, 'Top-up', 'c', ?, 'POLYGON', 'CARD', 1, ?)`,
			[]any{f.walletID, "0x" + simHex(40), now}},
		{`INSERT INTO wallet_balances(wallet_id, symbol, name, token_address, balance_cents) VALUES (?, 'USDC', 'USD Coin', '0x1', ?)`,
			[]any{f.walletID, balance}},
		{`INSERT INTO wallets(id, alias, client_id, address, blockchain, kind, enabled, created_at) VALUES (?, 'Ops', 'c', ?, 'POLYGON', 'VIRTUAL', 1, ?)`,
			[]any{f.virtualID, "0x" + simHex(40), now}},
		{`INSERT INTO wallet_balances(wallet_id, symbol, name, token_address, balance_cents) VALUES (?, 'USDC', 'USD Coin', '0x1', 10000)`,
			[]any{f.virtualID}},
		{`INSERT INTO cards(id, card_holder_name, name_norm, type, bin, last4, exp_month, exp_year, status, approval_method,
			daily_limit_cents, balance_cents, wallet_id, created_at, updated_at)
			VALUES (?, 'Ana Test', 'ana test', 'VIRTUAL', '424242', '4242', 12, 2030, ?, 'TOP_UP', ?, ?, ?, ?, ?)`,
			[]any{f.cardID, status, dailyLimit, balance, f.walletID, now, now}},
	} {
		if _, err := st.w.Exec(q.sql, q.args...); err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	return f
}

var qa = SimActor{Name: "operator", Level: LevelOperational, RemoteAddr: "127.0.0.1"}

func cardBalance(t *testing.T, st *Store, id string) int64 {
	t.Helper()
	var b int64
	if err := st.r.QueryRow(`SELECT balance_cents FROM cards WHERE id = ?`, id).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

type mvRow struct {
	op, status, parent, code, desc string
	bill, orig, newBal             int64
	opID                           string
}

func movementByID(t *testing.T, st *Store, id string) mvRow {
	t.Helper()
	var m mvRow
	err := st.r.QueryRow(`SELECT operation, status, COALESCE(parent_id, ''), decline_code, decline_description,
		bill_amount_cents, original_balance_cents, new_balance_cents, source_operation_id FROM card_transactions WHERE id = ?`, id).
		Scan(&m.op, &m.status, &m.parent, &m.code, &m.desc, &m.bill, &m.orig, &m.newBal, &m.opID)
	if err != nil {
		t.Fatalf("movement %s: %v", id, err)
	}
	return m
}

func countRows(t *testing.T, st *Store, table string) int {
	t.Helper()
	var n int
	if err := st.r.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// envelopeOf decodes a notification body.
func envelopeOf(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var env map[string]any
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.UseNumber()
	if err := d.Decode(&env); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return env
}

func simOK(t *testing.T, st *Store, req SimRequest) SimResult {
	t.Helper()
	req.By = qa
	res, err := st.Simulate(context.Background(), req)
	if err != nil {
		t.Fatalf("simulate %s: %v", req.Action, err)
	}
	return res
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"12", 1200, ""}, {"12.3", 1230, ""}, {"12.34", 1234, ""}, {" 0.01 ", 1, ""}, {".5", 50, ""}, {"007.10", 710, ""},
		{"1000000", 100_000_000, ""}, {"+5", 500, ""},
		{"", 0, FieldRequired}, {"-5", 0, FieldNegative}, {"0", 0, FieldZero}, {"0.00", 0, FieldZero},
		{"1000000.01", 0, FieldTooLarge}, {"99999999999999999999", 0, FieldTooLarge}, {"12.345", 0, FieldTooPrecise},
		{"abc", 0, FieldInvalid}, {"1e3", 0, FieldInvalid}, {"1,000", 0, FieldInvalid}, {".", 0, FieldInvalid},
		{"12.3.4", 0, FieldInvalid}, {"NaN", 0, FieldInvalid},
	} {
		if got, code := ParseAmount(tc.in); got != tc.want || code != tc.err {
			t.Errorf("ParseAmount(%q) = %d, %q; want %d, %q", tc.in, got, code, tc.want, tc.err)
		}
	}
}

func TestSimulateAuthorizeClearingLifecycle(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)

	auth := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "25.50", Merchant: SimMerchant{Name: "Coffee Bar", Country: "ES", MCC: "5814"}, Currency: "EUR"})
	if got := cardBalance(t, st, f.cardID); got != 74_50 {
		t.Errorf("balance after authorize = %d, want 7450", got)
	}
	mv := movementByID(t, st, auth.MovementID)
	if mv.op != "AUTHORIZATION" || mv.status != "PENDING" || mv.orig != 100_00 || mv.newBal != 74_50 || mv.bill != 25_50 {
		t.Errorf("authorization movement = %+v, want PENDING 100.00 -> 74.50 of 25.50", mv)
	}
	env := envelopeOf(t, auth.Outbox.Body)
	data := env["data"].(map[string]any)
	if env["operation"] != "CARDS" || env["sub_operation"] != "AUTHORIZATION" || env["status"] != "PENDING" ||
		env["operation_id"] != mv.opID || data["card_id"] != f.cardID || data["bill_amount"].(json.Number) != "25.50" ||
		data["transaction_currency_code"] != "EUR" || data["transaction_amount"].(json.Number) != "23.46" {
		t.Errorf("authorization notification = %s", auth.Outbox.Body)
	}
	if auth.Outbox.ID == 0 || auth.Outbox.State != OutboxPending {
		t.Errorf("outbox row = %+v, want a pending row", auth.Outbox)
	}

	clr := simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID, Amount: "999"})
	if got := cardBalance(t, st, f.cardID); got != 74_50 {
		t.Errorf("balance after clearing = %d, want 7450 (no second debit)", got)
	}
	cm := movementByID(t, st, clr.MovementID)
	if cm.op != "CLEARING" || cm.status != "SUCCESS" || cm.parent != auth.MovementID || cm.bill != 25_50 || cm.orig != cm.newBal {
		t.Errorf("clearing movement = %+v, want SUCCESS child of the authorization, 25.50, balance unchanged", cm)
	}
	if got := movementByID(t, st, auth.MovementID).status; got != "SUCCESS" {
		t.Errorf("authorization status after clearing = %s, want SUCCESS", got)
	}
	if e := envelopeOf(t, clr.Outbox.Body); e["sub_operation"] != "CLEARING" || e["status"] != "SUCCESS" {
		t.Errorf("clearing notification = %s", clr.Outbox.Body)
	}

	// Nothing left to clear or reverse: the provider's NOT_FOUND.
	for _, act := range []string{ActClearing, ActReversal} {
		_, err := st.Simulate(context.Background(), SimRequest{Action: act, CardID: f.cardID, Amount: "1", By: qa})
		var se *SimError
		if !errors.As(err, &se) || se.Code != SimCodeNotFound || se.Reason != SimNoAuthorization || se.ID != f.cardID {
			t.Errorf("%s with no open authorization: err = %v, want NOT_FOUND", act, err)
		}
	}

	// Refund of the cleared transaction credits, up to what was cleared.
	_, err := st.Simulate(context.Background(), SimRequest{Action: ActRefund, CardID: f.cardID, Amount: "25.51", By: qa})
	if se := (*SimError)(nil); !errors.As(err, &se) || se.Reason != SimRefundTooLarge || se.Amount != 25_51 || se.Limit != 25_50 {
		t.Errorf("refund above the cleared amount: err = %v", err)
	}
	ref := simOK(t, st, SimRequest{Action: ActRefund, CardID: f.cardID, Amount: "20"})
	if got := cardBalance(t, st, f.cardID); got != 94_50 {
		t.Errorf("balance after refund = %d, want 9450", got)
	}
	rm := movementByID(t, st, ref.MovementID)
	if rm.op != "REFUND" || rm.parent != auth.MovementID || rm.orig != 74_50 || rm.newBal != 94_50 {
		t.Errorf("refund movement = %+v", rm)
	}
	if _, err := st.Simulate(context.Background(), SimRequest{Action: ActRefund, CardID: f.cardID, Amount: "6", By: qa}); err == nil {
		t.Error("second refund beyond what is left: want an error")
	}
	var audits int
	st.r.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action LIKE 'simulate.%' AND target_id = ? AND result = 'ok'`, f.cardID).Scan(&audits)
	if audits != 3 {
		t.Errorf("audit rows = %d, want 3 (authorize, clearing, refund)", audits)
	}
}

func TestSimulateReversalReleasesHold(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 50_00, nil)
	auth := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "30"})
	if _, err := st.Simulate(context.Background(), SimRequest{Action: ActReversal, CardID: f.cardID, Amount: "31", By: qa}); err == nil {
		t.Error("reversal above the authorization: want an error")
	}
	rev := simOK(t, st, SimRequest{Action: ActReversal, CardID: f.cardID, Amount: "30"})
	if got := cardBalance(t, st, f.cardID); got != 50_00 {
		t.Errorf("balance after reversal = %d, want 5000", got)
	}
	m := movementByID(t, st, rev.MovementID)
	if m.op != "REVERSAL" || m.parent != auth.MovementID || m.orig != 20_00 || m.newBal != 50_00 {
		t.Errorf("reversal movement = %+v", m)
	}
	if _, err := st.Simulate(context.Background(), SimRequest{Action: ActRefund, CardID: f.cardID, Amount: "1", By: qa}); !isSimRefusal(err, SimNoCleared) {
		t.Errorf("refund with nothing cleared: err = %v", err)
	}
}

// TestSimulatePartialReversal: a reversal of part of a hold releases that
// part and leaves the rest open: a second reversal may release more (up to
// what is still held), a clearing then clears what is left, and the daily
// limit counts only what is still held or cleared.
func TestSimulatePartialReversal(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, int64(30_00))
	auth := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "25"})
	rev := simOK(t, st, SimRequest{Action: ActReversal, CardID: f.cardID, AuthorizationID: auth.MovementID, Amount: "10"})
	if got := cardBalance(t, st, f.cardID); got != 85_00 || rev.Amount != 10_00 {
		t.Errorf("after reversing 10 of 25: balance %d, reversed %d; want 8500 and 1000", got, rev.Amount)
	}
	if m := movementByID(t, st, auth.MovementID); m.status != "PENDING" {
		t.Errorf("authorization status after a partial reversal = %s, want PENDING (15.00 still held)", m.status)
	}
	// The daily limit (30) counts the 15 still held: 15.01 more is over it,
	// 15 is not.
	if res, _ := st.Simulate(context.Background(), SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "15.01", By: qa}); !res.Declined || res.DeclineCode != "61" {
		t.Errorf("15.01 over a daily limit of 30 with 15 held: %+v, want declined 61", res)
	}
	if res, _ := st.Simulate(context.Background(), SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "15", By: qa}); res.Declined {
		t.Errorf("15 within a daily limit of 30 with 15 held: declined %+v", res)
	}
	var se *SimError
	if _, err := st.Simulate(context.Background(), SimRequest{Action: ActReversal, CardID: f.cardID, AuthorizationID: auth.MovementID,
		Amount: "15.01", By: qa}); !errors.As(err, &se) || se.Reason != SimReversalTooLarge || se.Limit != 15_00 {
		t.Errorf("reversing 15.01 of the 15.00 held: err = %v, want SimReversalTooLarge with a limit of 15.00", err)
	}
	clr := simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID, AuthorizationID: auth.MovementID})
	if m := movementByID(t, st, clr.MovementID); m.bill != 15_00 || m.orig != 70_00 || m.newBal != 70_00 {
		t.Errorf("clearing after a partial reversal = %+v, want the 15.00 still held, balance unchanged at 7000", m)
	}
	if m := movementByID(t, st, auth.MovementID); m.status != "SUCCESS" {
		t.Errorf("authorization status after its clearing = %s, want SUCCESS", m.status)
	}
	if _, err := st.Simulate(context.Background(), SimRequest{Action: ActReversal, CardID: f.cardID, AuthorizationID: auth.MovementID,
		Amount: "1", By: qa}); !errors.As(err, &se) || se.Reason != SimAuthorizationNotOpen {
		t.Errorf("reversal after the clearing: err = %v, want SimAuthorizationNotOpen", err)
	}
}

func TestSimulateDeclines(t *testing.T) {
	for _, tc := range []struct {
		name, status string
		balance      int64
		limit        any
		action       string
		amount       string
		code, desc   string
	}{
		{"frozen card", "FROZEN", 100_00, nil, ActAuthorize, "5", "62", "Restricted card"},
		{"expired card", "EXPIRED", 100_00, nil, ActAuthorize, "5", "54", "Expired card"},
		{"over the daily limit", "ACTIVE", 100_00, int64(10_00), ActAuthorize, "10.01", "61", "Exceeds amount limit"},
		{"insufficient balance", "ACTIVE", 5_00, nil, ActAuthorize, "5.01", "51", "Insufficient funds"},
		{"forced", "ACTIVE", 100_00, nil, ActDecline, "5", "05", "Do not honor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := openSimStore(t)
			f := addSimCard(t, st, tc.status, tc.balance, tc.limit)
			res := simOK(t, st, SimRequest{Action: tc.action, CardID: f.cardID, Amount: tc.amount})
			if !res.Declined || res.DeclineCode != tc.code {
				t.Errorf("result = %+v, want declined %s", res, tc.code)
			}
			if got := cardBalance(t, st, f.cardID); got != tc.balance {
				t.Errorf("balance = %d, want %d (unchanged)", got, tc.balance)
			}
			m := movementByID(t, st, res.MovementID)
			if m.op != "AUTHORIZATION" || m.status != "FAILED" || m.code != tc.code || m.desc != tc.desc || m.orig != m.newBal {
				t.Errorf("movement = %+v, want a FAILED authorization %s %s", m, tc.code, tc.desc)
			}
			env := envelopeOf(t, res.Outbox.Body)
			dr := env["data"].(map[string]any)["decline_reason"].(map[string]any)
			if env["sub_operation"] != "DECLINED" || dr["response_code"] != tc.code || dr["description"] != tc.desc {
				t.Errorf("notification = %s", res.Outbox.Body)
			}
		})
	}
}

func TestSimulateDailyLimitCountsEarlierHolds(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, int64(20_00))
	if r := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "15"}); r.Declined {
		t.Fatal("first authorization under the limit was declined")
	}
	if r := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "6"}); !r.Declined || r.DeclineCode != "61" {
		t.Errorf("second authorization past the daily limit: %+v, want declined 61", r)
	}
}

func TestSimulateDepositsAndWithdraw(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 0, nil)
	ctx := context.Background()

	if _, err := st.Simulate(ctx, SimRequest{Action: ActDepositCard, CardID: f.cardID, Amount: "9.99", By: qa}); !isSimRefusal(err, SimCardDepositTooSmall) {
		t.Errorf("card deposit under 10 USD: err = %v", err)
	}
	dep := simOK(t, st, SimRequest{Action: ActDepositCard, CardID: f.cardID, Amount: "100"})
	// fee = 50 cents + 0.1 % = 60 cents
	if got := cardBalance(t, st, f.cardID); got != 99_40 {
		t.Errorf("card balance after deposit = %d, want 9940", got)
	}
	env := envelopeOf(t, dep.Outbox.Body)
	if env["operation"] != "CARDS" || env["sub_operation"] != "DEPOSIT" || env["data"].(map[string]any)["net_amount"].(json.Number) != "99.40" {
		t.Errorf("card deposit notification = %s", dep.Outbox.Body)
	}

	if _, err := st.Simulate(ctx, SimRequest{Action: ActDepositWallet, WalletID: f.virtualID, Amount: "0.99", By: qa}); !isSimRefusal(err, SimWalletDepositTooSmall) {
		t.Errorf("wallet deposit under 1 USD: err = %v", err)
	}
	wd := simOK(t, st, SimRequest{Action: ActDepositWallet, WalletID: f.virtualID, Amount: "1"})
	if e := envelopeOf(t, wd.Outbox.Body); e["operation"] != "VIRTUAL_WALLETS" || e["sub_operation"] != "DEPOSIT" {
		t.Errorf("wallet deposit notification = %s", wd.Outbox.Body)
	}
	var bal int64
	st.r.QueryRow(`SELECT balance_cents FROM wallet_balances WHERE wallet_id = ? AND symbol = 'USDC'`, f.virtualID).Scan(&bal)
	if bal != 100_50 {
		t.Errorf("wallet balance after 1 USD deposit = %d, want 10050", bal)
	}

	if _, err := st.Simulate(ctx, SimRequest{Action: ActWithdraw, WalletID: f.virtualID, Amount: "100.51", By: qa}); !isSimRefusal(err, SimWalletShort) {
		t.Errorf("withdraw above the balance: err = %v", err)
	}
	w := simOK(t, st, SimRequest{Action: ActWithdraw, WalletID: f.virtualID, Amount: "50.50"})
	st.r.QueryRow(`SELECT balance_cents FROM wallet_balances WHERE wallet_id = ? AND symbol = 'USDC'`, f.virtualID).Scan(&bal)
	if bal != 50_00 {
		t.Errorf("wallet balance after withdraw = %d, want 5000", bal)
	}
	if e := envelopeOf(t, w.Outbox.Body); e["sub_operation"] != "WITHDRAW" || e["status"] != "SUCCESS" {
		t.Errorf("withdraw notification = %s", w.Outbox.Body)
	}
	if _, err := st.Simulate(ctx, SimRequest{Action: ActWithdraw, WalletID: "nope", Amount: "1", By: qa}); !errors.Is(err, ErrNotFound) {
		t.Errorf("withdraw from an unknown wallet: err = %v, want ErrNotFound", err)
	}
}

func TestSimulateFailedVariant(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	ctx := context.Background()
	if _, err := st.Simulate(ctx, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "10", Outcome: "FAILED", By: qa}); err == nil ||
		!strings.Contains(err.Error(), "reason") {
		t.Errorf("failed variant without a reason: err = %v", err)
	}
	res := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "10", Outcome: "cancelled", Reason: "merchant timeout"})
	if got := cardBalance(t, st, f.cardID); got != 100_00 {
		t.Errorf("balance after a cancelled authorization = %d, want 10000", got)
	}
	env := envelopeOf(t, res.Outbox.Body)
	if env["status"] != "CANCELLED" || env["reason"] != "merchant timeout" {
		t.Errorf("notification = %s, want CANCELLED with the reason", res.Outbox.Body)
	}
	if m := movementByID(t, st, res.MovementID); m.status != "FAILED" || m.desc != "merchant timeout" {
		t.Errorf("movement = %+v", m)
	}
	// A failed clearing leaves the authorization open.
	simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "10"})
	simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID, Outcome: "FAILED", Reason: "issuer error"})
	simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID})
	if got := cardBalance(t, st, f.cardID); got != 90_00 {
		t.Errorf("balance = %d, want 9000", got)
	}
}

func TestSimulateBadInputChangesNothing(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	del := addSimCard(t, st, "DELETED", 100_00, nil)
	ctx := context.Background()
	before := [3]int{countRows(t, st, "card_transactions"), countRows(t, st, "outbox"), countRows(t, st, "wallet_movements")}
	for _, tc := range []struct {
		name  string
		req   SimRequest
		field string
		code  string
	}{
		{"negative", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "-1"}, "amount", SimCodeValidation},
		{"zero", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "0"}, "amount", SimCodeValidation},
		{"huge", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1e308"}, "amount", SimCodeValidation},
		{"non-numeric", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "ten"}, "amount", SimCodeValidation},
		{"unknown card", SimRequest{Action: ActAuthorize, CardID: "no-such-card", Amount: "1"}, "card", SimCodeValidation},
		{"no card", SimRequest{Action: ActAuthorize, Amount: "1"}, "card", SimCodeValidation},
		{"unknown action", SimRequest{Action: "explode", CardID: f.cardID, Amount: "1"}, "action", SimCodeValidation},
		{"bad currency", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1", Currency: "XXX"}, "currency", SimCodeValidation},
		{"bad country", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1", Merchant: SimMerchant{Country: "Spain"}}, "merchant_country", SimCodeValidation},
		{"bad mcc", SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1", Merchant: SimMerchant{MCC: "12"}}, "merchant_mcc", SimCodeValidation},
		{"3ds on deleted card", SimRequest{Action: Act3DS, CardID: del.cardID, Amount: "1"}, "card", SimCodeState},
		{"deposit to deleted card", SimRequest{Action: ActDepositCard, CardID: del.cardID, Amount: "20"}, "card", SimCodeState},
		{"no wallet", SimRequest{Action: ActDepositWallet, Amount: "20"}, "wallet", SimCodeValidation},
		{"clearing without authorization", SimRequest{Action: ActClearing, CardID: f.cardID}, "card", SimCodeNotFound},
	} {
		tc.req.By = qa
		_, err := st.Simulate(ctx, tc.req)
		var se *SimError
		if !errors.As(err, &se) || !se.refusedOn(tc.field) || se.Code != tc.code || se.Reason == "" {
			t.Errorf("%s: err = %#v, want a %s refusal on %s", tc.name, err, tc.code, tc.field)
		}
	}
	after := [3]int{countRows(t, st, "card_transactions"), countRows(t, st, "outbox"), countRows(t, st, "wallet_movements")}
	if before != after || cardBalance(t, st, f.cardID) != 100_00 {
		t.Errorf("rows before %v, after %v; balance %d: a refusal changed something", before, after, cardBalance(t, st, f.cardID))
	}
}

func TestPreviewChangesNothing(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	res, err := st.PreviewSimulation(context.Background(), SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "10", By: qa})
	if err != nil {
		t.Fatal(err)
	}
	if e := envelopeOf(t, res.Outbox.Body); e["sub_operation"] != "AUTHORIZATION" {
		t.Errorf("preview body = %s", res.Outbox.Body)
	}
	if n := countRows(t, st, "outbox") + countRows(t, st, "card_transactions"); n != 0 || cardBalance(t, st, f.cardID) != 100_00 {
		t.Errorf("preview wrote %d rows or moved the balance", n)
	}
}

func TestOutboxDueAndRecord(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	ctx := context.Background()
	res := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1"})
	now := time.Now()
	got, err := st.DueOutbox(ctx, now, 10, nil)
	if err != nil || len(got) != 1 || got[0].ID != res.Outbox.ID || string(got[0].Body) != string(res.Outbox.Body) {
		t.Fatalf("DueOutbox = %v, %v; want the one row", got, err)
	}
	inflight := map[int64]bool{got[0].ID: true}
	if again, _ := st.DueOutbox(ctx, now, 10, inflight); len(again) != 0 {
		t.Errorf("a row in flight was handed out again: %v", again)
	}
	if _, ok, _ := st.NextDue(ctx, inflight); ok {
		t.Errorf("NextDue counts a row in flight")
	}
	next := now.Add(5 * time.Second).UnixMilli()
	err = st.RecordAttempts(ctx, []AttemptResult{{Attempt: OutboxAttempt{OutboxID: got[0].ID, Target: "http://x", StartedAt: now.UnixMilli(),
		DurationMs: 3, HTTPStatus: 500, ResponseHead: "boom"}, State: OutboxPending, NextAttemptAt: next}})
	if err != nil {
		t.Fatal(err)
	}
	if due, _ := st.DueOutbox(ctx, now, 10, nil); len(due) != 0 {
		t.Errorf("row retried before its next attempt time")
	}
	if at, ok, _ := st.NextDue(ctx, nil); !ok || at.UnixMilli() != next {
		t.Errorf("NextDue = %v, %v; want %d", at, ok, next)
	}
	if due, _ := st.DueOutbox(ctx, time.UnixMilli(next), 10, nil); len(due) != 1 || due[0].Attempts != 1 {
		t.Fatalf("row not due at its next attempt time: %v", due)
	}
	st.RecordAttempts(ctx, []AttemptResult{{Attempt: OutboxAttempt{OutboxID: got[0].ID, Target: "http://x", StartedAt: next, HTTPStatus: 204}, State: OutboxDelivered}})
	m, atts, err := st.OutboxMessage(ctx, got[0].ID)
	if err != nil || m.State != OutboxDelivered || len(atts) != 2 || atts[0].HTTPStatus != 500 || atts[0].ResponseHead != "boom" || atts[1].N != 2 {
		t.Errorf("row = %+v, attempts = %+v, err %v; want delivered with both attempts kept", m, atts, err)
	}
	if _, _, err := st.OutboxMessage(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("OutboxMessage(999) err = %v, want ErrNotFound", err)
	}
}

func TestEnqueueReplayAndEdited(t *testing.T) {
	st := openSimStore(t)
	ctx := context.Background()
	raw := []byte(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"op-1","status":"PENDING","data":{"card_id":"c-1"}}`)
	m, err := st.EnqueueReplay(ctx, "42", raw, "", qa)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := st.OutboxMessage(ctx, m.ID)
	if got.Source != SourceReplay || got.ReplayOfEvent != "42" || string(got.Body) != string(raw) || got.OperationID != "op-1" || got.CardID != "c-1" {
		t.Errorf("replay row = %+v", got)
	}
	if rows, _ := st.AuditLog(ctx, AuditFilter{Action: "event.replay"}); len(rows) != 1 || rows[0].TargetID != "42" {
		t.Errorf("replay audit = %+v", rows)
	}
	if _, err := st.EnqueueReplay(ctx, "43", nil, "", qa); err == nil {
		t.Error("replay of an empty body: want an error")
	}

	if _, err := st.EnqueueEdited(ctx, []byte(`{"operation":"CARDS",`), ModeNormal, qa); !isSimRefusal(err, SimPayloadNotJSON) {
		t.Errorf("edited payload that is not JSON: err = %v", err)
	}
	if _, err := st.EnqueueEdited(ctx, []byte(`{"operation":"CARDS"}`), ModeNormal, qa); !isSimRefusal(err, SimInputInvalid) {
		t.Errorf("edited payload without operation_id: err = %v", err)
	}
	if _, err := st.EnqueueEdited(ctx, raw, "sideways", qa); err == nil {
		t.Error("unknown mode: want an error")
	}
	bad, err := st.EnqueueEdited(ctx, raw, ModeMalformedJSON, qa)
	if err != nil {
		t.Fatal(err)
	}
	if json.Valid(bad.Body) {
		t.Errorf("malformed_json body %s is valid JSON", bad.Body)
	}
}

func TestSimulate3DSChallenge(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	res := simOK(t, st, SimRequest{Action: Act3DS, CardID: f.cardID, Amount: "42", Currency: "EUR", Merchant: SimMerchant{Name: "Shop", Country: "FR"}})
	env := envelopeOf(t, res.Outbox.Body)
	d := env["data"].(map[string]any)
	code, _ := d["code"].(string)
	if env["sub_operation"] != "NOTIFICATION_3DS_AUTHORIZATION" || env["status"] != "PENDING" || d["card_id"] != f.cardID ||
		d["merchant_country_code"] != "FR" || d["transaction_currency"] != "EUR" || d["transaction_amount"].(json.Number) != "38.64" || len(code) != 6 {
		t.Errorf("3DS notification = %s", res.Outbox.Body)
	}
	if cardBalance(t, st, f.cardID) != 100_00 || countRows(t, st, "card_transactions") != 0 {
		t.Error("a 3DS challenge moved money or wrote a movement")
	}
}

func TestSimulateWalletFailedVariants(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 0, nil)
	// A failed withdrawal of more than the balance is allowed: nothing moves.
	w := simOK(t, st, SimRequest{Action: ActWithdraw, WalletID: f.virtualID, Amount: "500", Outcome: "FAILED", Reason: "chain congested"})
	if e := envelopeOf(t, w.Outbox.Body); e["status"] != "FAILED" || e["reason"] != "chain congested" {
		t.Errorf("failed withdraw notification = %s", w.Outbox.Body)
	}
	d := simOK(t, st, SimRequest{Action: ActDepositCard, CardID: f.cardID, Amount: "50", Outcome: "CANCELLED", Reason: "sender cancelled"})
	if e := envelopeOf(t, d.Outbox.Body); e["status"] != "CANCELLED" {
		t.Errorf("cancelled deposit notification = %s", d.Outbox.Body)
	}
	var bal int64
	st.r.QueryRow(`SELECT balance_cents FROM wallet_balances WHERE wallet_id = ? AND symbol = 'USDC'`, f.virtualID).Scan(&bal)
	var statuses []string
	rows, _ := st.r.Query(`SELECT status FROM wallet_movements ORDER BY created_at, rowid`)
	for rows.Next() {
		var s string
		rows.Scan(&s)
		statuses = append(statuses, s)
	}
	rows.Close()
	if bal != 100_00 || cardBalance(t, st, f.cardID) != 0 || strings.Join(statuses, ",") != "FAILED,CANCELLED" {
		t.Errorf("wallet %d, card %d, movements %v: a failed variant moved money", bal, cardBalance(t, st, f.cardID), statuses)
	}
}

func TestEnqueueBurst(t *testing.T) {
	st := openSimStore(t)
	ctx := context.Background()
	for _, n := range []int{0, -1, MaxBurst + 1} {
		if _, err := st.EnqueueBurst(ctx, n, "", qa); err == nil {
			t.Errorf("EnqueueBurst(%d): want a refusal", n)
		}
	}
	if _, err := st.EnqueueBurst(ctx, 3, "no-such-card", qa); !errors.Is(err, ErrNotFound) {
		t.Errorf("burst on an unknown card: err = %v", err)
	}
	b, err := st.EnqueueBurst(ctx, 50, "", qa)
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.BurstProgress(ctx, b.ID)
	if err != nil || p.Total != 50 || p.Pending != 50 || p.Done() {
		t.Errorf("progress = %+v, %v", p, err)
	}
	due, _ := st.DueOutbox(ctx, time.Now(), 100, nil)
	ops := map[string]bool{}
	for _, m := range due {
		ops[m.OperationID] = true
	}
	if len(due) != 50 || len(ops) != 50 {
		t.Errorf("burst rows = %d with %d distinct operation ids, want 50 each", len(due), len(ops))
	}
}

func TestSimulateChosenAuthorization(t *testing.T) {
	st := openSimStore(t)
	ctx := context.Background()
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	other := addSimCard(t, st, "ACTIVE", 100_00, nil)
	a1 := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "10"}).MovementID
	a2 := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "20"}).MovementID
	a3 := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "30"}).MovementID
	foreign := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: other.cardID, Amount: "5"}).MovementID

	open := func() []string {
		t.Helper()
		as, err := st.SimOpenAuthorizations(ctx, f.cardID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range as {
			ids = append(ids, a.ID)
		}
		return ids
	}
	if got := open(); !slices.Equal(got, []string{a3, a2, a1}) {
		t.Fatalf("open authorizations = %v, want newest first %v", got, []string{a3, a2, a1})
	}
	refusal := func(req SimRequest, field string) {
		t.Helper()
		req.CardID, req.By = f.cardID, qa
		_, err := st.Simulate(ctx, req)
		var se *SimError
		if !errors.As(err, &se) || !se.refusedOn(field) || se.Code != SimCodeValidation {
			t.Errorf("%s of %s: err = %v, want a validation error on %s", req.Action, req.AuthorizationID, err, field)
		}
	}

	// The chosen one, not the newest.
	clr := simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID, AuthorizationID: a1})
	if m := movementByID(t, st, clr.MovementID); m.parent != a1 {
		t.Errorf("clearing applied to %s, want the chosen %s", m.parent, a1)
	}
	if got := open(); !slices.Equal(got, []string{a3, a2}) {
		t.Errorf("open after clearing %s = %v", a1, got)
	}
	refusal(SimRequest{Action: ActClearing, AuthorizationID: a1}, "authorization")
	refusal(SimRequest{Action: ActReversal, AuthorizationID: foreign, Amount: "1"}, "authorization")
	refusal(SimRequest{Action: ActReversal, AuthorizationID: "no-such-id"}, "authorization")
	refusal(SimRequest{Action: ActRefund, AuthorizationID: a3, Amount: "1"}, "refund_of")

	// Without an amount, a reversal releases the whole hold and a refund
	// credits what is left.
	rev := simOK(t, st, SimRequest{Action: ActReversal, CardID: f.cardID, AuthorizationID: a2})
	if m := movementByID(t, st, rev.MovementID); m.parent != a2 || m.newBal-m.orig != 20_00 {
		t.Errorf("reversal = %+v, want the whole 20.00 of %s", m, a2)
	}
	refundable, err := st.SimRefundableAuthorizations(ctx, f.cardID, 10)
	if err != nil || len(refundable) != 1 || refundable[0].ID != a1 || refundable[0].LeftCents != 10_00 {
		t.Fatalf("refundable = %+v, %v; want %s with 10.00 left", refundable, err, a1)
	}
	ref := simOK(t, st, SimRequest{Action: ActRefund, CardID: f.cardID, AuthorizationID: a1})
	if m := movementByID(t, st, ref.MovementID); m.parent != a1 || m.newBal-m.orig != 10_00 {
		t.Errorf("refund = %+v, want the whole 10.00 of %s", m, a1)
	}
	if refundable, _ := st.SimRefundableAuthorizations(ctx, f.cardID, 10); len(refundable) != 0 {
		t.Errorf("refundable after a full refund = %+v, want none", refundable)
	}
	// Nothing chosen: the newest open one, as before.
	clr = simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID})
	if m := movementByID(t, st, clr.MovementID); m.parent != a3 {
		t.Errorf("default clearing applied to %s, want the newest open %s", m.parent, a3)
	}
}

// isSimRefusal reports whether err is a simulation refused for reason.
func isSimRefusal(err error, reason string) bool {
	var se *SimError
	return errors.As(err, &se) && se.Reason == reason
}

// refusedOn reports whether the refusal names field as at fault.
func (e *SimError) refusedOn(field string) bool { return e.Field == field || e.Fields[field] != "" }

// A simulation with several wrong fields names every one of them, so the
// form can mark each at once.
func TestSimulateNamesEveryWrongField(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	_, err := st.Simulate(context.Background(), SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "12.345", Currency: "XYZ",
		Merchant: SimMerchant{Name: strings.Repeat("n", MaxMerchantName+1), Country: "Spain", MCC: "12"},
		Outcome:  "FAILED", Token: "BTC", By: SimActor{Name: "qa", Level: 2}})
	var se *SimError
	if !errors.As(err, &se) || se.Reason != SimInputInvalid || se.Code != SimCodeValidation {
		t.Fatalf("err = %v, want an input refusal", err)
	}
	want := FieldErrors{"amount": FieldTooPrecise, "currency": FieldInvalid, "merchant_name": FieldTooLong,
		"merchant_country": FieldInvalid, "merchant_mcc": FieldInvalid, "reason": FieldRequired, "token": FieldInvalid}
	if !maps.Equal(se.Fields, want) {
		t.Errorf("fields = %v, want %v", se.Fields, want)
	}
	if n := countRows(t, st, "outbox"); n != 0 {
		t.Errorf("outbox rows = %d after a refusal, want 0", n)
	}
}

// A clearing, reversal or refund is never dated before its authorization,
// even when the clock says it is earlier (a clock set back, or an
// authorization dated ahead): the card timeline finds followers from their
// authorization's datetime on.
func TestSimulateFollowerNeverBeforeItsAuthorization(t *testing.T) {
	for _, follow := range []string{ActClearing, ActReversal, ActRefund} {
		t.Run(follow, func(t *testing.T) {
			st := openSimStore(t)
			f := addSimCard(t, st, "ACTIVE", 100_00, nil)
			at := time.UnixMilli(1_790_000_000_000)
			st.SetClock(func() time.Time { return at })
			auth := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "10", Merchant: SimMerchant{Name: "Kiosk", Country: "ES", MCC: "5814"}})
			if follow == ActRefund {
				simOK(t, st, SimRequest{Action: ActClearing, CardID: f.cardID, Amount: "10"})
			}
			at = at.Add(-time.Hour)
			res := simOK(t, st, SimRequest{Action: follow, CardID: f.cardID, Amount: "5"})
			var authAt, followAt int64
			if err := st.r.QueryRow(`SELECT datetime FROM card_transactions WHERE id = ?`, auth.MovementID).Scan(&authAt); err != nil {
				t.Fatal(err)
			}
			if err := st.r.QueryRow(`SELECT datetime FROM card_transactions WHERE id = ?`, res.MovementID).Scan(&followAt); err != nil {
				t.Fatal(err)
			}
			if followAt != authAt {
				t.Errorf("%s dated %d with the clock an hour behind its authorization (%d): want the authorization's datetime", follow, followAt, authAt)
			}
			created := envelopeOf(t, res.Outbox.Body)["data"].(map[string]any)["created_at"]
			if want := time.UnixMilli(authAt).UTC().Format(time.RFC3339Nano); created != want {
				t.Errorf("notification created_at = %v, want the movement's datetime %s", created, want)
			}
		})
	}
}
