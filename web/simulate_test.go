package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

const simCardID = "11111111-2222-4333-8444-555555555555"
const simWalletID = "99999999-2222-4333-8444-555555555555"

// addSimCard inserts an ACTIVE card with 100.00 USD and a VIRTUAL wallet with
// 50.00 USDC.
func addSimCard(t *testing.T, e *testEnv) {
	t.Helper()
	storetest.AddWallet(t, e.store, storetest.Wallet{ID: simWalletID, Alias: "Ops wallet", Address: "0xabc", Balances: map[string]int64{"USDC": 5000}})
	storetest.AddCard(t, e.store, storetest.Card{ID: simCardID, Holder: "Zoë Tester", Last4: "4242", Balance: 10000})
}

func simBalanceOf(t *testing.T, e *testEnv) int64 {
	t.Helper()
	c, err := e.store.SimCard(context.Background(), simCardID)
	if err != nil {
		t.Fatal(err)
	}
	return c.BalanceCents
}

func simOutboxCount(t *testing.T, e *testEnv) int {
	t.Helper()
	rows, err := e.store.RecentOutbox(context.Background(), store.OutboxFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func simWantBalance(want int64) func(*testing.T, *testEnv, *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
		t.Helper()
		if got := simBalanceOf(t, e); got != want {
			t.Errorf("balance = %d, want %d", got, want)
		}
	}
}

func simWantOutbox(n int) func(*testing.T, *testEnv, *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
		t.Helper()
		if got := simOutboxCount(t, e); got != n {
			t.Errorf("outbox rows = %d, want %d", got, n)
		}
	}
}

func simAll(fs ...func(*testing.T, *testEnv, *httptest.ResponseRecorder)) func(*testing.T, *testEnv, *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
		for _, f := range fs {
			f(t, e, rec)
		}
	}
}

var simHTMX = map[string]string{"HX-Request": "true"}

func simAuthorizeFirst(t *testing.T, e *testEnv) {
	addSimCard(t, e)
	if _, err := e.store.Simulate(context.Background(), store.SimRequest{Action: store.ActAuthorize, CardID: simCardID, Amount: "10"}); err != nil {
		t.Fatal(err)
	}
}

func TestSimulateRoutes(t *testing.T) {
	cardURL := "/cards/" + simCardID + "/simulate/"
	runScenarios(t, []scenario{
		{
			name: "viewer gets 403 on the Simulate page", method: "GET", url: "/simulate", as: store.LevelReadOnly,
			wantStatus: http.StatusForbidden, wantContains: []string{"needs level 2"},
		},
		{
			name: "viewer gets 403 on an action and nothing moves", method: "POST", url: "/simulate/authorize", as: store.LevelReadOnly,
			wantAudit: []string{"access.denied refused"},
			before:    addSimCard, form: url.Values{"card": {simCardID}, "amount": {"10"}},
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed", "needs level 2"},
			after: simAll(simWantBalance(10000), simWantOutbox(0), func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				rows, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "access.denied"})
				if len(rows) != 1 || rows[0].Actor != "viewer" {
					t.Errorf("audit = %+v, want the refusal recorded", rows)
				}
			}),
		},
		{
			name: "viewer gets 403 on a card action", method: "POST", url: cardURL + "authorize", as: store.LevelReadOnly,
			wantAudit: []string{"access.denied refused"},
			before:    addSimCard, form: url.Values{"amount": {"10"}},
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed"}, after: simWantBalance(10000),
		},
		{
			name: "operator sees the page with the picked card and the nav item", method: "GET", url: "/simulate?card=" + simCardID, as: store.LevelOperational,
			before: addSimCard, wantStatus: http.StatusOK,
			wantContains: []string{"<h1>Simulate</h1>", `href="/simulate"`, "•••• •••• •••• 4242", "Zoë Tester", "100.00 USD", "Authorize", "Clearing"},
		},
		{
			name: "unknown card in the page is a field message, not a 500", method: "GET", url: "/simulate?card=nope", as: store.LevelOperational,
			wantStatus: http.StatusOK, wantContains: []string{"No card picked yet."},
		},
		{
			name: "the card picker finds by accent-free name", method: "GET", url: "/simulate/cards?card_q=zoe", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, wantStatus: http.StatusOK,
			wantContains: []string{"Zoë Tester", "Use this card"}, wantNotContains: []string{"<html"},
		},
		{
			name: "the card picker finds by id prefix", method: "GET", url: "/simulate/cards?card_q=11111111-2222", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, wantStatus: http.StatusOK, wantContains: []string{"Zoë Tester"},
		},
		{
			name: "the card picker says when nothing matches", method: "GET", url: "/simulate/cards?card_q=zzz", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, wantStatus: http.StatusOK, wantContains: []string{"No card matches"},
		},
		{
			name: "the card picker finds by last 4", method: "GET", url: "/simulate/cards?card_q=4242", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, wantStatus: http.StatusOK, wantContains: []string{"Zoë Tester"},
		},
		{
			name: "the wallet picker is a fragment", method: "GET", url: "/simulate/wallets?wallet_q=zzz-none", as: store.LevelOperational,
			headers: simHTMX, wantStatus: http.StatusOK, wantContains: []string{"No wallet matches"}, wantNotContains: []string{"<html"},
		},
		{
			name: "the wallet picker marks a disabled wallet", method: "GET", url: "/simulate/wallets?wallet_q=closed", as: store.LevelOperational,
			before: func(t *testing.T, e *testEnv) {
				storetest.AddWallet(t, e.store, storetest.Wallet{Alias: "Closed ops", Kind: "VIRTUAL", Disabled: true})
				storetest.AddWallet(t, e.store, storetest.Wallet{Alias: "Closed-loop live", Kind: "VIRTUAL"})
			},
			headers: simHTMX, wantStatus: http.StatusOK,
			wantContains: []string{"Closed ops", "Closed-loop live", `<span class="badge bad" title="Deposits and withdrawals on it are refused">disabled</span>`},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if n := strings.Count(rec.Body.String(), ">disabled</span>"); n != 1 {
					t.Errorf("%d wallets marked disabled, want the one", n)
				}
			},
		},
		{
			name: "the picker without JavaScript is the whole page", method: "GET", url: "/simulate?card_q=zoe", as: store.LevelOperational,
			before: addSimCard, wantStatus: http.StatusOK, wantContains: []string{"<html", "Zoë Tester", "Use this card"},
		},
		{
			name: "operator authorizes through htmx", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"10.50"}},
			wantStatus:   http.StatusOK,
			wantContains: []string{"Authorized 10.50 USD", "CARDS/AUTHORIZATION PENDING", "delivery #1"},
			after: simAll(simWantBalance(8950), simWantOutbox(1), func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				rows, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "simulate.authorize"})
				if len(rows) != 1 || rows[0].Result != store.ResultOK || rows[0].TargetID != simCardID {
					t.Errorf("audit = %+v", rows)
				}
			}),
		},
		{
			name: "a plain form post redirects to the page with the delivery", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, form: url.Values{"card": {simCardID}, "amount": {"1"}},
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/simulate?card=" + simCardID + "&done=1"},
		},
		{
			name: "card page clearing with no authorization is NOT_FOUND", method: "POST", url: cardURL + "clearing", as: store.LevelOperational,
			wantAudit: []string{"simulate.clearing refused"},
			before:    addSimCard, wantStatus: http.StatusNotFound, form: url.Values{},
			wantContains: []string{"Simulation refused", "Authorization event not found for card " + simCardID, "Back to the card"},
			after: simAll(simWantOutbox(0), func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				rows, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "simulate.clearing"})
				if len(rows) != 1 || rows[0].Result != store.ResultRefused {
					t.Errorf("audit = %+v, want the refusal", rows)
				}
			}),
		},
		{
			name: "card page clearing after an authorization settles it", method: "POST", url: cardURL + "clearing", as: store.LevelOperational,
			wantAudit: []string{"simulate.clearing ok"},
			before:    simAuthorizeFirst, headers: simHTMX, form: url.Values{},
			wantStatus: http.StatusOK, wantContains: []string{"Cleared 10.00 USD", "CARDS/CLEARING SUCCESS"},
			after: simAll(simWantBalance(9000), simWantOutbox(2)),
		},
		{
			name: "card page plain post redirects to the card", method: "POST", url: cardURL + "reversal", as: store.LevelOperational,
			wantAudit: []string{"simulate.reversal ok"},
			before:    simAuthorizeFirst, form: url.Values{"amount": {"10"}},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards/" + simCardID},
			after: simWantBalance(10000),
		},
		{
			name: "card page htmx refusal is a message in the panel", method: "POST", url: cardURL + "authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"amount": {"abc"}},
			wantStatus: http.StatusOK, wantContains: []string{`role="alert"`, "not a number"}, after: simWantOutbox(0),
		},
		{
			name: "wallet actions are not card actions", method: "POST", url: cardURL + "withdraw", as: store.LevelOperational,
			before: addSimCard, form: url.Values{"amount": {"1"}}, wantStatus: http.StatusNotFound, wantContains: []string{"Not found"},
		},
		{
			name: "unknown action is 404", method: "POST", url: "/simulate/explode", as: store.LevelOperational,
			form: url.Values{}, wantStatus: http.StatusNotFound, wantContains: []string{"Not found"},
		},
		{
			name: "negative amount re-renders the form with the message", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, form: url.Values{"card": {simCardID}, "amount": {"-5"}},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"is negative", "field-error", `value="-5"`},
			after: simAll(simWantBalance(10000), simWantOutbox(0)),
		},
		{
			name: "huge amount is refused", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"99999999999"}},
			wantStatus: http.StatusOK, wantContains: []string{"too large"}, after: simWantOutbox(0),
		},
		{
			name: "unknown card is refused", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize refused"},
			headers:   simHTMX, form: url.Values{"card": {"nope"}, "amount": {"1"}},
			wantStatus: http.StatusOK, wantContains: []string{"Card not found: nope."},
		},
		{
			name: "a card number as the card is refused and shown masked", method: "POST", url: "/simulate/authorize", as: store.LevelOperational,
			wantAudit: []string{"simulate.authorize refused"},
			headers:   simHTMX, form: url.Values{"card": {testPAN}, "amount": {"1"}},
			wantStatus: http.StatusOK, wantContains: []string{"Card not found: " + store.MaskPAN(testPAN) + "."},
			wantNotContains: []string{testPAN[6:12]},
		},
		{
			name: "wallet deposit", method: "POST", url: "/simulate/deposit-wallet", as: store.LevelOperational,
			wantAudit: []string{"simulate.deposit-wallet ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"wallet": {simWalletID}, "amount": {"5"}},
			wantStatus: http.StatusOK, wantContains: []string{"Deposited 5.00 USDC", "VIRTUAL_WALLETS/DEPOSIT SUCCESS"},
		},
		{
			name: "preview opens the notification and changes nothing", method: "POST", url: "/simulate/preview", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"3"}, "preview_action": {"authorize"}},
			wantStatus: http.StatusOK, wantContains: []string{`id="editor"`, "&#34;sub_operation&#34;: &#34;AUTHORIZATION&#34;"},
			after: simAll(simWantBalance(10000), simWantOutbox(0)),
		},
		{
			name: "an edited payload that is not JSON is refused with the reason", method: "POST", url: "/simulate/send", as: store.LevelOperational,
			wantAudit:  []string{"simulate.edited refused"},
			form:       url.Values{"payload": {`{"operation": "CARDS",`}, "mode": {"normal"}},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"not valid JSON"}, after: simWantOutbox(0),
		},
		{
			name: "an edited payload is sent, deliberately broken", method: "POST", url: "/simulate/send", as: store.LevelOperational,
			wantAudit:  []string{"simulate.edited ok"},
			headers:    simHTMX,
			form:       url.Values{"payload": {`{"operation":"CARDS","sub_operation":"REFUND","operation_id":"x-1","status":"SUCCESS"}`}, "mode": {"bad_key"}},
			wantStatus: http.StatusOK, wantContains: []string{"deliberately broken (bad_key)", "CARDS/REFUND"}, after: simWantOutbox(1),
		},
		{
			name: "a burst of zero is refused", method: "POST", url: "/simulate/burst", as: store.LevelOperational,
			wantAudit: []string{"simulate.burst refused"},
			headers:   simHTMX, form: url.Values{"n": {"0"}}, wantStatus: http.StatusOK, wantContains: []string{"between 1 and 10000"},
		},
		{
			name: "a burst above the bound is refused", method: "POST", url: "/simulate/burst", as: store.LevelOperational,
			wantAudit: []string{"simulate.burst refused"},
			form:      url.Values{"n": {"10001"}}, wantStatus: http.StatusBadRequest, wantContains: []string{"between 1 and 10000"},
		},
		{
			name: "a burst is queued and shows its progress", method: "POST", url: "/simulate/burst", as: store.LevelOperational,
			wantAudit: []string{"simulate.burst ok"},
			headers:   simHTMX, form: url.Values{"n": {"25"}},
			wantStatus: http.StatusOK, wantContains: []string{"Burst #1: 0 of 25 delivered", `hx-trigger="every 1s"`}, after: simWantOutbox(25),
		},
		{
			name: "a delivery opens with every attempt", method: "GET", url: "/simulate/deliveries/1", as: store.LevelOperational,
			before: func(t *testing.T, e *testEnv) {
				simAuthorizeFirst(t, e)
				err := e.store.RecordAttempts(context.Background(), []store.AttemptResult{{State: store.OutboxPending, NextAttemptAt: 5000,
					Attempt: store.OutboxAttempt{OutboxID: 1, Target: "http://r", StartedAt: 1000, DurationMs: 12, HTTPStatus: 503,
						ResponseHead: "try later", RetryAfterMs: 30000}}})
				if err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:   http.StatusOK,
			wantContains: []string{"Delivery #1", "503 Service Unavailable", "try later", "12 ms", "30 s", "&#34;operation&#34;:&#34;CARDS&#34;"},
		},
		{
			name: "the deliveries table opens a delivery", method: "GET", url: "/simulate/deliveries?card=" + simCardID, as: store.LevelOperational,
			before: simAuthorizeFirst, headers: simHTMX, wantStatus: http.StatusOK,
			wantContains: []string{`href="/simulate/deliveries/1?card=` + simCardID + `"`},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				href := between(rec.Body.String(), `<td class="mono"><a href="`, `"`)
				if href != "/simulate/deliveries/1?card="+simCardID {
					t.Fatalf("the delivery's link is %q", href)
				}
				wantBody(t, e.get(e.login("operator"), href), http.StatusOK, "Delivery #1", "CARDS/AUTHORIZATION", "not tried yet")
			},
		},
		{
			name: "an unknown delivery is 404", method: "GET", url: "/simulate/deliveries/99", as: store.LevelOperational,
			wantStatus: http.StatusNotFound, wantContains: []string{"No such delivery"},
		},
		{
			name: "deliveries fragment polls", method: "GET", url: "/simulate/deliveries?card=" + simCardID, as: store.LevelOperational,
			before: simAuthorizeFirst, headers: simHTMX, wantStatus: http.StatusOK,
			wantContains:    []string{`id="deliveries"`, "CARDS/AUTHORIZATION", "pending", "not tried yet"},
			wantNotContains: []string{"<html"},
		},
	})
}

func TestSimulateWakesDispatcher(t *testing.T) {
	e := newTestEnv(t)
	addSimCard(t, e)
	woken := 0
	e.server.wakeOutbox = func() { woken++ }
	req := formRequest("POST", "/simulate/authorize", url.Values{"card": {simCardID}, "amount": {"1"}})
	req.AddCookie(e.login("operator"))
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Fatalf("status = %d", rec.Code)
	}
	if woken != 1 {
		t.Errorf("wake called %d times, want 1", woken)
	}
}

// TestEventReplayHandler replays an event the receiver stored: the outbox
// gets a replay row with the same body, operation_id and webhook-id (so the
// receiver counts it as another attempt on the same event), audited; an
// unknown event and a viewer are refused.
func TestEventReplayHandler(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	body := `{"operation":"CARDS","sub_operation":"CLEARING","operation_id":"op-9","status":"SUCCESS","data":{"card_id":"c"}}`
	if rec := e.deliver(body, standardHeaders(t, testWebhookSecret, "msg_replay_test", time.Now(), body)); rec.Code != http.StatusOK {
		t.Fatalf("deliver: status = %d, body %s", rec.Code, rec.Body.String())
	}
	events, err := e.store.Events(context.Background(), store.EventFilter{Limit: 1})
	if err != nil || len(events) != 1 {
		t.Fatalf("events = %v, %v", events, err)
	}
	id := strconv.FormatInt(events[0].ID, 10)
	post := func(id, as string) *httptest.ResponseRecorder {
		req := formRequest("POST", "/events/"+id+"/replay", url.Values{})
		req.AddCookie(e.login(as))
		return e.do(req)
	}
	if rec := post(id, "viewer"); rec.Code != http.StatusForbidden {
		t.Errorf("viewer replay: status = %d, want 403", rec.Code)
	}
	rec := post(id, "operator")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/events/"+id {
		t.Fatalf("replay: status = %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	rows, _ := e.store.RecentOutbox(context.Background(), store.OutboxFilter{ReplayOfEvent: id})
	if len(rows) != 1 || string(rows[0].Body) != body || rows[0].Source != store.SourceReplay ||
		rows[0].OperationID != "op-9" || rows[0].WebhookID != "msg_replay_test" {
		t.Errorf("replay rows = %+v", rows)
	}
	for _, bad := range []string{"999999", "abc", "-1"} {
		if rec := post(bad, "operator"); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "nothing was sent") {
			t.Errorf("replay of event %q: status = %d, want 404", bad, rec.Code)
		}
	}
	audits, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "event.replay"})
	refused, ok := 0, 0
	for _, a := range audits {
		switch a.Result {
		case store.ResultRefused:
			refused++
		case store.ResultOK:
			ok++
		}
	}
	if ok != 1 || refused != 3 {
		t.Errorf("audit = %+v, want one replay and three refusals", audits)
	}
}

func TestEventReplayButtonByLevel(t *testing.T) {
	for _, tc := range []struct {
		level store.Level
		want  bool
	}{{store.LevelReadOnly, false}, {store.LevelOperational, true}, {store.LevelAdmin, true}} {
		var buf bytes.Buffer
		p := pageAt(t, tc.level)
		if err := views.EventReplayButton(p, "17").Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), `hx-post="/events/17/replay"`); got != tc.want {
			t.Errorf("level %d: replay button shown = %v, want %v", tc.level, got, tc.want)
		}
	}
}

func TestCardSimulatePanelByLevel(t *testing.T) {
	render := func(level store.Level) string {
		var buf bytes.Buffer
		p := pageAt(t, level)
		if err := views.CardSimulatePanel(p, views.CardSimPanelData{CardID: simCardID}).Render(context.Background(), &buf); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	if got := render(store.LevelReadOnly); strings.Contains(got, "<button") {
		t.Errorf("level 1 panel has buttons: %s", got)
	}
	got := render(store.LevelOperational)
	for _, want := range []string{`hx-post="/cards/` + simCardID + `/simulate/authorize"`, ">Clearing<", ">Refund<", ">Reversal<"} {
		if !strings.Contains(got, want) {
			t.Errorf("level 2 panel lacks %q", want)
		}
	}
}

// TestCardSimulatePartialReversal: from a card page's Simulate panel, an
// operator authorizes 25, reverses 10 of it and sees the rest still open
// to clear ("15.00 USD left of 25.00 USD"), then clears it: what a support person
// found stuck before.
func TestCardSimulatePartialReversal(t *testing.T) {
	e := newTestEnv(t)
	addSimCard(t, e)
	op := e.login("operator")
	post := func(action string, form url.Values) string {
		t.Helper()
		req := formRequest("POST", "/cards/"+simCardID+"/simulate/"+action, form)
		req.Header.Set("HX-Request", "true")
		req.AddCookie(op)
		rec := e.do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: status %d, body %.300s", action, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	post("authorize", url.Values{"amount": {"25"}})
	open, err := e.store.SimOpenAuthorizations(context.Background(), simCardID, 10)
	if err != nil || len(open) != 1 {
		t.Fatalf("open authorizations = %+v, %v", open, err)
	}
	body := post("reversal", url.Values{"authorization": {open[0].ID}, "amount": {"10"}})
	if !strings.Contains(body, "15.00 USD left of 25.00 USD") {
		t.Errorf("after reversing 10 of 25 the form does not offer the 15.00 left:\n%.2000s", body)
	}
	if got := simBalanceOf(t, e); got != 85_00 {
		t.Errorf("balance = %d, want 8500", got)
	}
	body = post("clearing", url.Values{"authorization": {open[0].ID}})
	if strings.Contains(body, "not an open authorization") || strings.Contains(body, "left of 25.00 USD") {
		t.Errorf("the clearing of what is left was refused or left it open:\n%.2000s", body)
	}
	if open, _ := e.store.SimOpenAuthorizations(context.Background(), simCardID, 10); len(open) != 0 {
		t.Errorf("open after the clearing: %+v, want none", open)
	}
}
