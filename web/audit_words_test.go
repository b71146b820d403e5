package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cardops/store"
)

// wantAuditDetail checks the newest audit row of action: its detail holds
// each of want and none of bad.
func wantAuditDetail(action string, want []string, bad ...string) func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
		t.Helper()
		rows, err := e.store.AuditLog(context.Background(), store.AuditFilter{Action: action})
		if err != nil || len(rows) == 0 {
			t.Fatalf("audit %s: %v, %d rows", action, err, len(rows))
		}
		for _, w := range want {
			if !strings.Contains(rows[0].Detail, w) {
				t.Errorf("%s detail = %q, want it to hold %q", action, rows[0].Detail, w)
			}
		}
		for _, b := range bad {
			if strings.Contains(rows[0].Detail, b) {
				t.Errorf("%s detail = %q, want no %q", action, rows[0].Detail, b)
			}
		}
	}
}

// TestAuditDetailsWordedForPeople: audit rows say what happened in words a
// support person reads, not field codes, version counters or queue ids.
func TestAuditDetailsWordedForPeople(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "a freeze with no such reason", method: http.MethodPost, url: "/cards/" + freezeCardID + "/freeze", as: store.LevelAdmin,
			form: freezeForm("invalid", "", "1"), before: freezeCard("ACTIVE"), wantAudit: []string{"card.freeze refused"},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose a reason from the list."},
			after: wantAuditDetail(store.AuditCardFreeze, []string{"no such reason"}, "invalid")},
		{name: "a user with no such level and a short password", method: http.MethodPost, url: "/settings/users", as: store.LevelAdmin,
			form: url.Values{"username": {"erin"}, "level": {"9"}, "password": {"short"}}, wantAudit: []string{"user.create refused"},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose level 1, 2 or 3."},
			after: wantAuditDetail(store.AuditUserCreate, []string{"no such level", "password too short (at least 10 characters)"}, "invalid", "too_short")},
		{name: "a wallet deposit is audited in the wallet's token", method: http.MethodPost, url: "/simulate/deposit-wallet", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, form: url.Values{"wallet": {simWalletID}, "amount": {"2"}, "token": {"USDT"}},
			wantAudit: []string{"simulate.deposit-wallet ok"}, wantStatus: http.StatusOK, wantContains: []string{"Deposited 2.00 USDT"},
			after: wantAuditDetail("simulate.deposit-wallet", []string{"amount 2.00 USDT", "delivery #"}, "USD,", "outbox")},
		{name: "a card authorization is audited in USD, its delivery named", method: http.MethodPost, url: "/simulate/authorize", as: store.LevelOperational,
			before: addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"2"}},
			wantAudit: []string{"simulate.authorize ok"}, wantStatus: http.StatusOK, wantContains: []string{"2.00 USD"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				wantAuditDetail("simulate.authorize", []string{"amount 2.00 USD", "sent as delivery #"}, "outbox")(t, e, rec)
				body := e.get(e.login("operator"), "/cards/"+simCardID+"/timeline?kind=audit").Body.String()
				if !strings.Contains(body, "sent as delivery #") || strings.Contains(body, "outbox ") {
					t.Errorf("the card timeline does not name the delivery in words: %s", body[strings.Index(body, "<ol"):])
				}
			}},
		{name: "a rotation's time is written as every other time", method: http.MethodPost, url: "/settings/webhooks/rotate", as: store.LevelAdmin,
			form: url.Values{"overlap": {"1h"}}, wantAudit: []string{"webhook.rotate ok"},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/settings/webhooks?rotated=1"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				rows, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "webhook.rotate"})
				if len(rows) != 1 || !regexp.MustCompile(`valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$`).MatchString(rows[0].Detail) ||
					rows[0].TargetType+":"+rows[0].TargetID != "settings:webhooks" {
					t.Errorf("rotation audited as %+v, want settings:webhooks, valid until YYYY-MM-DD HH:MM:SS UTC", rows)
				}
			}},
		{name: "the webhook settings rows are found under one target, old rows too", method: http.MethodGet, url: "/audit?target=webhooks", as: store.LevelAdmin,
			before: func(t *testing.T, e *testEnv) {
				admin := store.Actor{Username: "admin", Level: store.LevelAdmin}
				if err := e.store.SubscribeWebhook(context.Background(), store.WebhookSubscription{URL: "https://b.example/h", Key: "k-123456789"}, admin); err != nil {
					t.Fatal(err)
				}
				if err := e.store.Audit(context.Background(), store.AuditEntry{Actor: "admin", ActorLevel: store.LevelAdmin,
					Action: store.AuditWebhookUnsubscribe, TargetType: "settings", TargetID: "webhook", Result: store.ResultOK, Detail: "an old row"}); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus: http.StatusOK, wantContains: []string{"webhook.subscribe", "an old row"}},
	})
}

// TestReissueConfirmOnAChangedCardAuditedInWords: a confirmation refused
// because the card changed after step 1 is audited as that, with the card's
// versions, not as counters.
func TestReissueConfirmOnAChangedCardAuditedInWords(t *testing.T) {
	e := newTestEnv(t)
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, e.login("admin"), c.ID)
	if _, err := e.store.SetCardFrozen(context.Background(), store.CardFreeze{CardID: c.ID, Freeze: true, SeenVersion: 1,
		Reason: store.FreezeSuspectedFraud, Actor: store.Actor{Username: "admin", Level: store.LevelAdmin}}); err != nil {
		t.Fatal(err)
	}
	scenario{name: "confirm after the card changed", method: http.MethodPost, url: "/reissues/" + rid + "/confirm", as: store.LevelAdmin,
		form: url.Values{"last4": {c.Last4}, "password": {testPassword}}, wantStatus: http.StatusConflict,
		wantContains: []string{"changed"}, wantAudit: []string{"reissue.confirm refused"},
		after: wantAuditDetail(store.AuditReissueConfirm, []string{"the card changed since the request was made (version 1 → 2)"}, "request made at"),
	}.run(t, e)
}
