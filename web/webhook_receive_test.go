package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cardops/store"
	"cardops/web/webhook"
)

const (
	testWebhookKey    = "whk_test_key_0123456789"
	testWebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
)

// withWebhookCreds pins the receiver's key and secret.
func withWebhookCreds(c *Config) {
	c.WebhookKey, c.WebhookSecret = testWebhookKey, testWebhookSecret
}

func notification(opID string) string {
	return `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"` + opID +
		`","status":"pending","data":{"card_id":"card-42","bill_amount":12.5,"merchant_data":{"name":"<b>Shop</b>"}}}`
}

// providerHeaders are the provider scheme's headers, sent at ts.
func providerHeaders(key string, ts time.Time) map[string]string {
	return map[string]string{
		"Content-Type": "application/json", webhook.HeaderWebhookKey: key,
		webhook.HeaderRequestTimestamp: strconv.FormatInt(ts.UnixMilli(), 10),
	}
}

// standardHeaders signs body under the Standard Webhooks scheme.
func standardHeaders(t *testing.T, secret, id string, ts time.Time, body string) map[string]string {
	t.Helper()
	sig, err := webhook.Sign(secret, id, ts, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"Content-Type": "application/json", "webhook-id": id,
		"webhook-timestamp": strconv.FormatInt(ts.Unix(), 10), "webhook-signature": sig,
	}
}

// deliver posts body to the receiver with headers and returns the answer.
func (e *testEnv) deliver(body string, headers map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return e.do(req)
}

func eventCount(t *testing.T, e *testEnv) int {
	t.Helper()
	evs, err := e.store.Events(context.Background(), store.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func refusalCodes(t *testing.T, e *testEnv) []string {
	t.Helper()
	rs, err := e.store.Refusals(context.Background(), 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range rs {
		codes = append(codes, r.Code)
	}
	return codes
}

// wantRefused checks that nothing was stored as an event and that the
// refusal was kept with its code.
func wantRefused(code string) func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
		if got := eventCount(t, e); got != 0 {
			t.Errorf("stored events = %d, want 0", got)
		}
		if got := refusalCodes(t, e); len(got) != 1 || got[0] != code {
			t.Errorf("refusals = %v, want [%s]", got, code)
		}
		var body jsonErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != code || body.Message == "" || body.TraceID == "" {
			t.Errorf("body = %s (%v), want the provider's JSON error with code %s", rec.Body.String(), err, code)
		}
	}
}

func TestWebhookReceiveAuthentication(t *testing.T) {
	now := time.Now()
	body := notification("op-1")
	sw := func(t *testing.T, secret string, ts time.Time) map[string]string {
		return standardHeaders(t, secret, "msg_1", ts, body)
	}
	scenarios := []struct {
		name       string
		headers    func(t *testing.T) map[string]string
		body       string
		wantStatus int
		wantCode   string // for refusals
		wantVerif  string // for acceptances
	}{
		{"provider key", func(*testing.T) map[string]string { return providerHeaders(testWebhookKey, now) }, body, 200, "", "provider-key: ok"},
		{"provider key, timestamp 4 minutes off", func(*testing.T) map[string]string {
			return providerHeaders(testWebhookKey, now.Add(-4*time.Minute))
		}, body, 200, "", "provider-key: ok"},
		{"wrong key", func(*testing.T) map[string]string { return providerHeaders("whk_wrong", now) }, body, 401, webhook.CodeWrongKey, ""},
		{"no credentials at all", func(*testing.T) map[string]string { return map[string]string{"Content-Type": "application/json"} }, body, 401, webhook.CodeMissingCredentials, ""},
		{"key without timestamp", func(*testing.T) map[string]string {
			return map[string]string{webhook.HeaderWebhookKey: testWebhookKey}
		}, body, 401, webhook.CodeMissingTimestamp, ""},
		{"stale timestamp", func(*testing.T) map[string]string {
			return providerHeaders(testWebhookKey, now.Add(-6*time.Minute))
		}, body, 401, webhook.CodeStaleTimestamp, ""},
		{"timestamp from the future", func(*testing.T) map[string]string {
			return providerHeaders(testWebhookKey, now.Add(6*time.Minute))
		}, body, 401, webhook.CodeStaleTimestamp, ""},
		{"timestamp in seconds, not ms", func(*testing.T) map[string]string {
			h := providerHeaders(testWebhookKey, now)
			h[webhook.HeaderRequestTimestamp] = strconv.FormatInt(now.Unix(), 10)
			return h
		}, body, 401, webhook.CodeStaleTimestamp, ""},
		{"standard webhooks signature", func(t *testing.T) map[string]string { return sw(t, testWebhookSecret, now) }, body, 200, "", "standard-webhooks: ok"},
		{"several signatures, one good", func(t *testing.T) map[string]string {
			h := sw(t, testWebhookSecret, now)
			h["webhook-signature"] = "v1,AAAA v1a,xyz " + h["webhook-signature"]
			return h
		}, body, 200, "", "standard-webhooks: ok"},
		{"signature under another secret", func(t *testing.T) map[string]string { return sw(t, store.NewWebhookSecret(), now) }, body, 401, webhook.CodeBadSignature, ""},
		{"signature of another body", func(t *testing.T) map[string]string {
			return standardHeaders(t, testWebhookSecret, "msg_1", now, notification("op-2"))
		}, body, 401, webhook.CodeBadSignature, ""},
		{"stale signed delivery", func(t *testing.T) map[string]string { return sw(t, testWebhookSecret, now.Add(-10*time.Minute)) }, body, 401, webhook.CodeStaleTimestamp, ""},
		{"signature without webhook-id", func(t *testing.T) map[string]string {
			h := sw(t, testWebhookSecret, now)
			delete(h, "webhook-id")
			return h
		}, body, 401, webhook.CodeMissingWebhookID, ""},
		{"malformed signature header", func(t *testing.T) map[string]string {
			h := sw(t, testWebhookSecret, now)
			h["webhook-signature"] = "garbage"
			return h
		}, body, 401, webhook.CodeMalformedSignature, ""},
		{"bad signature is not rescued by a right key", func(t *testing.T) map[string]string {
			h := sw(t, store.NewWebhookSecret(), now)
			for k, v := range providerHeaders(testWebhookKey, now) {
				h[k] = v
			}
			return h
		}, body, 401, webhook.CodeBadSignature, ""},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			e := newTestEnv(t, withWebhookCreds)
			rec := e.deliver(sc.body, sc.headers(t))
			if rec.Code != sc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, sc.wantStatus, rec.Body.String())
			}
			if sc.wantStatus != 200 {
				wantRefused(sc.wantCode)(t, e, rec)
				return
			}
			var ack webhookAck
			if err := json.Unmarshal(rec.Body.Bytes(), &ack); err != nil || ack.ID == 0 || ack.Duplicate || ack.Attempts != 1 {
				t.Fatalf("ack = %s (%v), want a new event", rec.Body.String(), err)
			}
			ev, err := e.store.Event(context.Background(), ack.ID)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Verification != sc.wantVerif || string(ev.Body) != sc.body || ev.CardID != "card-42" ||
				ev.Status != "PENDING" || ev.StatusRaw != "pending" {
				t.Errorf("stored event = %+v, want verification %q, the raw body and parsed fields", ev, sc.wantVerif)
			}
			for name, vs := range ev.Headers() {
				for _, v := range vs {
					if strings.Contains(v, testWebhookKey) {
						t.Errorf("stored header %s carries the key in clear", name)
					}
				}
			}
		})
	}
}

// TestWebhookReceiveStandardVector runs the Standard Webhooks specification's
// test vector through the receiver, with the clock at the vector's time.
func TestWebhookReceiveStandardVector(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	vectorTS := time.Unix(1614265330, 0)
	e.server.now = func() time.Time { return vectorTS.Add(30 * time.Second) }
	rec := e.deliver(`{"test": 2432232314}`, map[string]string{
		"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
		"webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
	})
	// The vector's payload is authentic but is not a provider envelope.
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), webhook.CodeMissingOperation) {
		t.Errorf("status = %d, body %s; want 400 %s (authentic, then refused as an envelope)", rec.Code, rec.Body.String(), webhook.CodeMissingOperation)
	}
	e.server.now = func() time.Time { return vectorTS.Add(10 * time.Minute) }
	rec = e.deliver(`{"test": 2432232314}`, map[string]string{
		"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
		"webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
	})
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), webhook.CodeStaleTimestamp) {
		t.Errorf("10 minutes later: status = %d, body %s; want 401 %s", rec.Code, rec.Body.String(), webhook.CodeStaleTimestamp)
	}
}

func TestWebhookReceiveBadInput(t *testing.T) {
	now := time.Now()
	big := `{"operation":"CARDS","operation_id":"big","data":{"pad":"` + strings.Repeat("x", 10<<20) + `"}}`
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"truncated JSON", `{"operation":"CARDS","operation_id":"x"`, 400, webhook.CodeInvalidJSON},
		{"a JSON array", `[{"operation":"CARDS","operation_id":"x"}]`, 400, webhook.CodeNotAnObject},
		{"empty body", ``, 400, webhook.CodeInvalidJSON},
		{"invalid UTF-8", "{\"operation\":\"CARDS\xff\xfe\",\"operation_id\":\"x\"}", 400, webhook.CodeInvalidUTF8},
		{"missing operation_id", `{"operation":"CARDS","sub_operation":"AUTHORIZATION","status":"SUCCESS"}`, 400, webhook.CodeMissingOperationID},
		{"missing operation", `{"operation_id":"x"}`, 400, webhook.CodeMissingOperation},
		{"data not an object", `{"operation":"CARDS","operation_id":"x","data":[1,2,3]}`, 400, webhook.CodeInvalidData},
		{"status not a string", `{"operation":"CARDS","operation_id":"x","status":7}`, 400, webhook.CodeInvalidField},
		{"10 MiB body", big, 413, "PAYLOAD_TOO_LARGE"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" (provider key)", func(t *testing.T) {
			e := newTestEnv(t, withWebhookCreds)
			rec := e.deliver(tt.body, providerHeaders(testWebhookKey, now))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body.String())
			}
			wantRefused(tt.wantCode)(t, e, rec)
			rs, _ := e.store.Refusals(context.Background(), 0, 1)
			if len(rs[0].Body) > store.MaxRefusalBody {
				t.Errorf("kept body = %d bytes, want at most %d", len(rs[0].Body), store.MaxRefusalBody)
			}
			if rs[0].Headers[webhook.HeaderWebhookKey][0] != "[redacted]" {
				t.Errorf("kept headers = %v, want the key redacted", rs[0].Headers)
			}
		})
		if tt.wantStatus == 413 {
			continue // the signature scheme cannot change a size refusal
		}
		t.Run(tt.name+" (signed)", func(t *testing.T) {
			e := newTestEnv(t, withWebhookCreds)
			rec := e.deliver(tt.body, standardHeaders(t, testWebhookSecret, "msg_bad", now, tt.body))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body.String())
			}
			wantRefused(tt.wantCode)(t, e, rec)
		})
	}
}

func TestWebhookReceiveUnknownTypeIsStored(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	rec := e.deliver(`{"operation":"LOYALTY","sub_operation":"POINTS","operation_id":"p-1","status":"time_cancelled"}`,
		providerHeaders(testWebhookKey, time.Now()))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body.String())
	}
	evs, _ := e.store.Events(context.Background(), store.EventFilter{Operation: "LOYALTY"})
	if len(evs) != 1 || evs[0].Status != "TIME_CANCELLED" {
		t.Errorf("events = %+v, want the unknown type stored", evs)
	}
}

func TestWebhookReceiveDedupesWithAttempts(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	body := notification("op-dup")
	const n, senders = 1000, 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[int64]int{}
	fresh := 0
	for s := range senders {
		wg.Go(func() {
			for i := s; i < n; i += senders {
				rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now()))
				var ack webhookAck
				if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &ack) != nil {
					t.Errorf("delivery %d: status %d, body %s", i, rec.Code, rec.Body.String())
					return
				}
				mu.Lock()
				ids[ack.ID]++
				if !ack.Duplicate {
					fresh++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(ids) != 1 || fresh != 1 {
		t.Fatalf("acks named events %v with %d new, want one event, new exactly once", ids, fresh)
	}
	var id int64
	for k := range ids {
		id = k
	}
	ev, err := e.store.Event(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Attempts != n || len(ev.Deliveries) != 1+store.MaxKeptRetries {
		t.Errorf("attempts = %d, deliveries = %d, want %d and the first %d kept", ev.Attempts, len(ev.Deliveries), n, 1+store.MaxKeptRetries)
	}
	if got := eventCount(t, e); got != 1 {
		t.Errorf("stored events = %d, want 1", got)
	}

	// A Standard Webhooks retry dedupes on webhook-id; a new id with the
	// same envelope is deduplicated by the provider's key too, since the
	// envelope is the same notification only when the id is missing.
	h := standardHeaders(t, testWebhookSecret, "msg_same", time.Now(), body)
	first := e.deliver(body, h)
	second := e.deliver(body, h)
	var a1, a2 webhookAck
	json.Unmarshal(first.Body.Bytes(), &a1)
	json.Unmarshal(second.Body.Bytes(), &a2)
	if a1.Duplicate || !a2.Duplicate || a1.ID != a2.ID || a2.Attempts != 2 {
		t.Errorf("signed retry: first %+v, second %+v; want the second a duplicate of the first", a1, a2)
	}

	// The event page counts every attempt and lists those kept.
	sc := scenario{method: "GET", url: fmt.Sprintf("/events/%d", id), as: store.LevelReadOnly, wantStatus: 200,
		wantContains: []string{"Delivery attempts", ">1000<", "retry", "first", "Showing the first 101 of 1000 attempts"}}
	sc.run(t, e)
}

func TestWebhookRotationOverlap(t *testing.T) {
	e := newTestEnv(t)
	old := *e.server.webhookSecrets.Load()
	admin := e.login("admin")
	req := formRequest(http.MethodPost, "/settings/webhooks/rotate", map[string][]string{"overlap": {"1h"}})
	req.AddCookie(admin)
	rec := e.do(req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings/webhooks?rotated=1" {
		t.Fatalf("rotate: status %d, Location %q; want 303 to the settings", rec.Code, rec.Header().Get("Location"))
	}
	cur := *e.server.webhookSecrets.Load()
	if cur.Key == old.Key || cur.Secret == old.Secret || cur.PreviousKey != old.Key {
		t.Fatalf("after rotation: %+v, want fresh key and secret with the old ones as previous", cur)
	}
	body := notification("rot-1")
	now := time.Now()
	for name, h := range map[string]map[string]string{
		"old key": providerHeaders(old.Key, now), "new key": providerHeaders(cur.Key, now),
		"old secret": standardHeaders(t, old.Secret, "m-old", now, body), "new secret": standardHeaders(t, cur.Secret, "m-new", now, body),
	} {
		if rec := e.deliver(body, h); rec.Code != http.StatusOK {
			t.Errorf("%s during the overlap: status %d, want 200; %s", name, rec.Code, rec.Body.String())
		}
	}
	e.server.now = func() time.Time { return time.Now().Add(61 * time.Minute) }
	later := e.server.now()
	if rec := e.deliver(body, providerHeaders(old.Key, later)); rec.Code != http.StatusUnauthorized {
		t.Errorf("old key after the overlap: status %d, want 401", rec.Code)
	}
	if rec := e.deliver(body, standardHeaders(t, old.Secret, "m-old2", later, body)); rec.Code != http.StatusUnauthorized {
		t.Errorf("old secret after the overlap: status %d, want 401", rec.Code)
	}
	if rec := e.deliver(body, providerHeaders(cur.Key, later)); rec.Code != http.StatusOK {
		t.Errorf("new key after the overlap: status %d, want 200", rec.Code)
	}
	entries, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "webhook.rotate"})
	if len(entries) != 1 || entries[0].Actor != "admin" || entries[0].Result != store.ResultOK {
		t.Errorf("audit = %+v, want one ok rotation by admin", entries)
	}
}

func TestWebhookSettings(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "admin sees key and secret", method: "GET", url: "/settings/webhooks", as: store.LevelAdmin,
			before:       func(t *testing.T, e *testEnv) {},
			wantStatus:   http.StatusOK,
			wantContains: []string{"Webhook settings", "whk_", "whsec_", "/webhooks", "Rotate key and secret"},
			wantHeaders:  map[string]string{"Cache-Control": "no-store"},
		},
		{
			name: "viewer may not see them", method: "GET", url: "/settings/webhooks", as: store.LevelReadOnly,
			wantStatus: http.StatusForbidden, wantNotContains: []string{"whk_", "whsec_"},
		},
		{
			name: "operator may not rotate, and the attempt is audited", method: "POST", url: "/settings/webhooks/rotate",
			wantAudit: []string{"access.denied refused"},
			form:      map[string][]string{"overlap": {"1h"}}, as: store.LevelOperational,
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				entries, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "access.denied"})
				if len(entries) != 1 || entries[0].Actor != "operator" {
					t.Errorf("audit = %+v, want the refused rotation", entries)
				}
			},
		},
		{
			name: "a bad overlap is refused, audited, and changes nothing", method: "POST", url: "/settings/webhooks/rotate",
			wantAudit: []string{"webhook.rotate refused"},
			form:      map[string][]string{"overlap": {"forever"}}, as: store.LevelAdmin,
			wantStatus: http.StatusBadRequest, wantContains: []string{"Nothing was changed"},
			before: func(t *testing.T, e *testEnv) {},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if sec := e.server.webhookSecrets.Load(); sec.PreviousKey != "" {
					t.Errorf("secrets = %+v, want no rotation", sec)
				}
				entries, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "webhook.rotate"})
				if len(entries) != 1 || entries[0].Result != store.ResultRefused {
					t.Errorf("audit = %+v, want one refused rotation", entries)
				}
			},
		},
		{
			name: "a cross-site rotation is refused", method: "POST", url: "/settings/webhooks/rotate",
			wantAudit: []string{"request.cross_origin refused"},
			form:      map[string][]string{"overlap": {"1h"}}, as: store.LevelAdmin,
			headers:    map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
			wantStatus: http.StatusForbidden, wantContains: []string{"Request refused", "sent from another site"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if sec := e.server.webhookSecrets.Load(); sec.PreviousKey != "" {
					t.Errorf("secrets = %+v, want no rotation", sec)
				}
			},
		},
	})
}

func TestWebhookReceiveHeaderInjection(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	body := `{"operation":"CARDS","operation_id":"inj-1","data":{"note":"<script>alert(1)</script>"}}`
	h := providerHeaders(testWebhookKey, time.Now())
	h["X-Note"] = "a\r\nSet-Cookie: evil=1"
	h["Cookie"] = "cardops_session=stolen"
	rec := e.deliver(body, h)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200; %s", rec.Code, rec.Body.String())
	}
	if got := rec.Header().Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("response Set-Cookie = %v, want none", got)
	}
	var ack webhookAck
	json.Unmarshal(rec.Body.Bytes(), &ack)
	sc := scenario{method: "GET", url: fmt.Sprintf("/events/%d", ack.ID), as: store.LevelReadOnly, wantStatus: 200,
		wantContains:    []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "[redacted]", "X-Webhook-Key"},
		wantNotContains: []string{"<script>alert(1)", testWebhookKey, "stolen"}}
	sc.run(t, e)
}

func TestEventPages(t *testing.T) {
	seed := func(t *testing.T, e *testEnv) {
		for i, b := range []string{
			notification("op-a"),
			`{"operation":"VIRTUAL_WALLETS","sub_operation":"WITHDRAW","operation_id":"op-w","status":"FAILED","reason":"no funds","data":{"wallet_id":"wal-7"}}`,
		} {
			if rec := e.deliver(b, providerHeaders(testWebhookKey, time.Now())); rec.Code != 200 {
				t.Fatalf("seed %d: %d %s", i, rec.Code, rec.Body.String())
			}
		}
		e.deliver("not json", providerHeaders(testWebhookKey, time.Now()))
	}
	scenarios := []scenario{
		{name: "viewer lists events newest first with live tail", method: "GET", url: "/events", as: store.LevelReadOnly,
			before: seed, wantStatus: 200,
			wantContains: []string{"Event log", "op-a", "op-w", `sse-connect="/events/stream?after=2"`, `sse-swap="event-row"`, "Refused deliveries (1)"}},
		{name: "filters narrow the list and the stream", method: "GET", url: "/events?operation=virtual_wallets&status=FAILED", as: store.LevelReadOnly,
			before: seed, wantStatus: 200,
			wantContains:    []string{"op-w", `/events/stream?after=2&amp;operation=virtual_wallets&amp;status=FAILED`},
			wantNotContains: []string{`data-operation-id="op-a"`}},
		{name: "card filter matches a wallet id", method: "GET", url: "/events?card=wal-7", as: store.LevelReadOnly,
			before: seed, wantStatus: 200, wantContains: []string{"op-w"}, wantNotContains: []string{`data-operation-id="op-a"`}},
		{name: "text filter", method: "GET", url: "/events?q=shop", as: store.LevelReadOnly,
			before: seed, wantStatus: 200, wantContains: []string{"op-a"}, wantNotContains: []string{`data-operation-id="op-w"`}},
		{name: "unreadable time is explained and ignored", method: "GET", url: "/events?from=yesterday", as: store.LevelReadOnly,
			before: seed, wantStatus: 200, wantContains: []string{"Could not read the time in from", "op-a", "op-w"}},
		{name: "paused shows no stream", method: "GET", url: "/events?live=off", as: store.LevelReadOnly,
			before: seed, wantStatus: 200, wantContains: []string{"Paused", "Resume"}, wantNotContains: []string{"sse-connect"}},
		{name: "an older page has no live tail", method: "GET", url: "/events?before=2", as: store.LevelReadOnly,
			before: seed, wantStatus: 200, wantContains: []string{"op-a", "live tail off"}, wantNotContains: []string{"sse-connect", `data-operation-id="op-w"`}},
		{name: "htmx gets the section only, and the address bar a clean URL", method: "GET", url: "/events?q=&operation=CARDS&status=", as: store.LevelReadOnly,
			headers: map[string]string{"HX-Request": "true"}, before: seed, wantStatus: 200,
			wantHeaders:  map[string]string{"HX-Push-Url": "/events?operation=CARDS"},
			wantContains: []string{`id="events"`, "op-a"}, wantNotContains: []string{"<html"}},
		{name: "event page", method: "GET", url: "/events/2", as: store.LevelReadOnly, before: seed, wantStatus: 200,
			wantContains: []string{"Event #2", "VIRTUAL_WALLETS", "no funds", "provider-key: ok", "[redacted]", "Pretty JSON",
				"&#34;wallet_id&#34;: &#34;wal-7&#34;", "Delivery attempts"},
			wantNotContains: []string{testWebhookKey}},
		{name: "unknown event is a readable 404", method: "GET", url: "/events/999", as: store.LevelReadOnly,
			wantStatus: 404, wantContains: []string{"There is no event #999"}},
		{name: "non-numeric event id is a readable 404", method: "GET", url: "/events/abc", as: store.LevelReadOnly,
			wantStatus: 404, wantContains: []string{"event ids are whole numbers"}},
		{name: "the refused deliveries' old address redirects", method: "GET", url: "/events?view=refused", as: store.LevelReadOnly,
			wantStatus: http.StatusMovedPermanently, wantHeaders: map[string]string{"Location": "/events/refused"},
			wantContains: []string{"/events/refused"}},
		{name: "refused deliveries page", method: "GET", url: "/events/refused", as: store.LevelReadOnly,
			before: seed, wantStatus: 200, wantContains: []string{"Refused deliveries", webhook.CodeInvalidJSON, "not json", "[redacted]"},
			wantNotContains: []string{testWebhookKey}},
		{name: "nav shows Events to a viewer, Settings only to an admin", method: "GET", url: "/cards", as: store.LevelReadOnly,
			wantStatus: 200, wantContains: []string{`href="/events"`}, wantNotContains: []string{`href="/settings/webhooks"`}},
		{name: "admin nav has Settings", method: "GET", url: "/cards", as: store.LevelAdmin,
			wantStatus: 200, wantContains: []string{`href="/events"`, `href="/settings/webhooks"`}},
		{name: "anonymous stream is 401 JSON", method: "GET", url: "/events/stream",
			wantStatus: 401, wantContains: []string{`"code":"UNAUTHORIZED"`}},
		{name: "bad Last-Event-ID is a JSON 400", method: "GET", url: "/events/stream", as: store.LevelReadOnly,
			headers: map[string]string{"Last-Event-ID": "abc"}, wantStatus: 400, wantContains: []string{`"code":"VAL"`}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			sc.run(t, newTestEnv(t, withWebhookCreds))
		})
	}
}

// TestWebhookReceiveRequireSignature: with the receiver set to require the
// Standard Webhooks signature, the provider's key alone is refused (401,
// kept among the refusals), even the right key; a signed delivery passes.
func TestWebhookReceiveRequireSignature(t *testing.T) {
	requireSig := func(c *Config) { withWebhookCreds(c); c.RequireSignature = true }
	body := notification("op-sig")
	t.Run("key alone", func(t *testing.T) {
		e := newTestEnv(t, requireSig)
		rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now()))
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("status = %d, want 401; body %s", rec.Code, rec.Body.String())
		}
		wantRefused(webhook.CodeSignatureRequired)(t, e, rec)
		if !strings.Contains(rec.Body.String(), "Standard Webhooks") {
			t.Errorf("body = %s, want it to say a signature is needed", rec.Body.String())
		}
	})
	t.Run("signed", func(t *testing.T) {
		e := newTestEnv(t, requireSig)
		if rec := e.deliver(body, standardHeaders(t, testWebhookSecret, "msg_sig", time.Now(), body)); rec.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200; body %s", rec.Code, rec.Body.String())
		}
	})
}

// TestWebhookReceiveDuplicateKeys: a body whose envelope or data names a
// key twice, in any case, is refused with 400 in the JSON error shape.
func TestWebhookReceiveDuplicateKeys(t *testing.T) {
	for name, body := range map[string]string{
		"operation then OPERATION": `{"operation":"CARDS","sub_operation":"REFUND","operation_id":"d-1","status":"SUCCESS","OPERATION":"TREASURY"}`,
		"status twice":             `{"operation":"CARDS","operation_id":"d-2","status":"SUCCESS","status":"FAILED"}`,
		"card_id twice in data":    `{"operation":"CARDS","operation_id":"d-3","data":{"card_id":"a","CARD_ID":"b"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newTestEnv(t, withWebhookCreds)
			rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now()))
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400; body %s", rec.Code, rec.Body.String())
			}
			wantRefused(webhook.CodeDuplicateKey)(t, e, rec)
		})
	}
}

// TestWebhookReceiveHugeHeaders: a refused delivery with a huge header and
// many headers keeps them bounded; so does an accepted one.
func TestWebhookReceiveHugeHeaders(t *testing.T) {
	huge := func(h map[string]string) map[string]string {
		h["X-Huge"] = strings.Repeat("h", 512<<10)
		for i := range 60 {
			h[fmt.Sprintf("X-Pad-%02d", i)] = strings.Repeat("p", 100)
		}
		return h
	}
	e := newTestEnv(t, withWebhookCreds)
	if rec := e.deliver(notification("op-h"), huge(providerHeaders("whk_wrong", time.Now()))); rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong key: status = %d, want 401", rec.Code)
	}
	rec := e.deliver(notification("op-h"), huge(providerHeaders(testWebhookKey, time.Now())))
	if rec.Code != http.StatusOK {
		t.Fatalf("right key: status = %d, want 200; %s", rec.Code, rec.Body.String())
	}
	var ack webhookAck
	json.Unmarshal(rec.Body.Bytes(), &ack)
	rs, err := e.store.Refusals(context.Background(), 0, 10)
	if err != nil || len(rs) != 1 {
		t.Fatalf("refusals = %d, %v; want 1", len(rs), err)
	}
	ev, err := e.store.Event(context.Background(), ack.ID)
	if err != nil {
		t.Fatal(err)
	}
	for what, h := range map[string]map[string][]string{"refusal": rs[0].Headers, "event": ev.Headers()} {
		n, size := 0, 0
		for k, vs := range h {
			for _, v := range vs {
				n, size = n+1, size+len(k)+len(v)
			}
		}
		if n > store.MaxKeptHeaders || size > store.MaxKeptHeaderBytes || h[store.HeadersNotKept] == nil {
			t.Errorf("%s kept %d header values, %d bytes, want at most %d and %d and a note of what was left out",
				what, n, size, store.MaxKeptHeaders, store.MaxKeptHeaderBytes)
		}
		if got := h["X-Webhook-Key"]; len(got) != 1 || got[0] != "[redacted]" {
			t.Errorf("%s X-Webhook-Key = %v, want it kept, redacted", what, got)
		}
	}
}

// TestWebhookSettingsSayWhatIsAccepted: the settings page says whether the
// receiver takes the key alone.
func TestWebhookSettingsSayWhatIsAccepted(t *testing.T) {
	sc := scenario{method: "GET", url: "/settings/webhooks", as: store.LevelAdmin, wantStatus: http.StatusOK,
		wantContains: []string{"accepts only a Standard Webhooks signature"}, wantNotContains: []string{"accepts the provider's key"}}
	sc.run(t, newTestEnv(t, func(c *Config) { c.RequireSignature = true }))
}

// TestWebhookCardDataNeverStored: a delivery carrying a full card number
// and a verification code, accepted or refused, is stored, shown and
// indexed with the number masked and the code replaced.
func TestWebhookCardDataNeverStored(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	body := `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"op-card-data","status":"SUCCESS",` +
		`"data":{"card_id":"c1","card_number":"4111 1111 1111 1111","cvv":"123","pan":5555555555554444}}`
	if rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now())); rec.Code != http.StatusOK {
		t.Fatalf("signed delivery: %d %s", rec.Code, rec.Body)
	}
	if rec := e.deliver(strings.Replace(body, "op-card-data", "op-unsigned", 1), nil); rec.Code != http.StatusUnauthorized {
		t.Fatalf("unsigned delivery: %d %s", rec.Code, rec.Body)
	}
	var n int
	if err := e.store.Reader().QueryRow(`SELECT (SELECT count(*) FROM webhook_events WHERE body LIKE '%1111 1111%' OR body LIKE '%"123"%' OR body LIKE '%5555555555554444%')
		+ (SELECT count(*) FROM webhook_refusals WHERE body LIKE '%1111 1111%' OR body LIKE '%"123"%' OR body LIKE '%5555555555554444%')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows holding the card data: %d (%v), want none", n, err)
	}
	viewer := e.login("viewer")
	for _, path := range []string{"/events/1", "/events/refused"} {
		rec := e.get(viewer, path)
		b := rec.Body.String()
		if rec.Code != http.StatusOK || strings.Contains(b, "1111 1111") || strings.Contains(b, "5555555555554444") ||
			!strings.Contains(b, "411111••••••1111") || !strings.Contains(b, "[redacted]") {
			t.Errorf("GET %s: status %d; want the masked number and the code redacted, never the number", path, rec.Code)
		}
	}
}

// TestWebhookRefusalsKeptWithinABudget: anyone can post to the receiver, so
// refused deliveries from one address are kept 10 at once and then one
// every 6 s, the others counted in the next one kept; every one is
// answered.
func TestWebhookRefusalsKeptWithinABudget(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	e.server.now = func() time.Time { return now }
	for i := range 30 {
		if rec := e.deliver(notification(fmt.Sprintf("unsigned-%d", i)), nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("delivery %d: %d, want 401", i, rec.Code)
		}
	}
	count := func() int {
		var n int
		if err := e.store.Reader().QueryRow(`SELECT count(*) FROM webhook_refusals`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != anonBurst {
		t.Errorf("refusals kept = %d after 30, want %d", n, anonBurst)
	}
	now = now.Add(anonRefill)
	e.deliver(notification("unsigned-late"), nil)
	var reason string
	if err := e.store.Reader().QueryRow(`SELECT reason FROM webhook_refusals ORDER BY id DESC LIMIT 1`).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != anonBurst+1 || !strings.Contains(reason, "and 20 more refused from this address") {
		t.Errorf("after %s: %d kept, the last saying %q; want %d and the 20 held back counted", anonRefill, n, reason, anonBurst+1)
	}
}

// TestWebhookSignatureNotShown: a level-1 reader of an event cannot resend
// its delivery: the Standard Webhooks signature is kept redacted, like the
// provider's key, and a resent delivery that verifies anyway (here: signed
// again) adds to the count, not to the database, past MaxKeptRetries.
func TestWebhookSignatureNotShown(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	body := notification("op-sig")
	h := standardHeaders(t, testWebhookSecret, "msg_sig", time.Now(), body)
	rec := e.deliver(body, h)
	var ack webhookAck
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &ack) != nil {
		t.Fatalf("delivery: %d %s", rec.Code, rec.Body)
	}
	page := e.get(e.login("viewer"), fmt.Sprintf("/events/%d", ack.ID))
	wantBody(t, page, http.StatusOK, "Webhook-Signature", "[redacted]")
	if strings.Contains(page.Body.String(), strings.TrimPrefix(h["webhook-signature"], "v1,")) {
		t.Error("the event page shows the delivery's signature")
	}
	for range store.MaxKeptRetries + 3 {
		e.deliver(body, h)
	}
	var retries int
	if err := e.store.Writer().QueryRow(`SELECT count(*) FROM webhook_retries WHERE event_id = ?`, ack.ID).Scan(&retries); err != nil {
		t.Fatal(err)
	}
	ev, err := e.store.Event(context.Background(), ack.ID)
	if err != nil {
		t.Fatal(err)
	}
	if retries != store.MaxKeptRetries || ev.Attempts != 1+store.MaxKeptRetries+3 {
		t.Errorf("retry rows = %d, attempts = %d; want %d rows and every attempt counted (%d)", retries, ev.Attempts,
			store.MaxKeptRetries, 1+store.MaxKeptRetries+3)
	}
}
