package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

const (
	apiCardID = "7c1d2f0a-0000-4000-8000-00000000a11c"
	apiTxID   = "7c1d2f0a-0000-4000-8000-0000000000f1"
)

// apiEnv is a console with one live API key per level and one card.
type apiEnv struct {
	*testEnv
	keys map[store.Level]string
}

func newAPIEnv(t *testing.T, options ...func(*Config)) *apiEnv {
	t.Helper()
	e := &apiEnv{testEnv: newTestEnv(t, options...), keys: map[store.Level]string{}}
	for _, l := range []store.Level{store.LevelReadOnly, store.LevelOperational, store.LevelAdmin} {
		_, secret, err := e.store.CreateAPIKey(context.Background(), store.NewAPIKey{
			Name: "backend-l" + string(rune('0'+l)), Level: l, Actor: store.Actor{Username: "admin", Level: store.LevelAdmin}})
		if err != nil {
			t.Fatalf("create key: %v", err)
		}
		e.keys[l] = secret
	}
	storetest.AddCard(t, e.store, storetest.Card{ID: apiCardID, Holder: "Api Ana", Email: "ana@example.com", DialCode: "+34",
		Phone: "600111222", Last4: "4321", Balance: 100_00,
		Movements: []storetest.Movement{{ID: apiTxID, At: 1_700_000_100_000, Operation: "CLEARING", Amount: 5_00, Merchant: "Kiosk"}}})
	return e
}

// call sends one API request with the key of level (0: no key).
func (e *apiEnv) call(method, path, body string, level store.Level, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if level != 0 {
		req.Header.Set("x-api-key", e.keys[level])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

func (e *apiEnv) simulate(t *testing.T, action, amount string) {
	t.Helper()
	if _, err := e.store.Simulate(context.Background(), store.SimRequest{Action: action, CardID: apiCardID, Amount: amount,
		By: store.SimActor{Name: "operator", Level: store.LevelOperational}}); err != nil {
		t.Fatalf("simulate %s: %v", action, err)
	}
}

// apiErr decodes an error body in the provider's format.
func apiErr(t *testing.T, rec *httptest.ResponseRecorder) jsonErrorBody {
	t.Helper()
	var b jsonErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("error body %q: %v", rec.Body.String(), err)
	}
	return b
}

// TestAPIEndpointsByKeyLevel tries every endpoint with no key and with a key
// of each level: below the endpoint's level it is 401 API_ERROR with the
// provider's words, at or above it does what the provider documents.
func TestAPIEndpointsByKeyLevel(t *testing.T) {
	endpoints := []struct {
		method, path, body string
		level              store.Level
		before             func(t *testing.T, e *apiEnv)
		wantStatus         int
		wantContains       []string
		wantEmpty          bool
	}{
		{method: "GET", path: "/api/openapi.json", level: store.LevelPublic, wantStatus: 200, wantContains: []string{`"openapi": "3.1`}},
		{method: "GET", path: "/api/cards/virtual-cards/list", level: store.LevelReadOnly, wantStatus: 200,
			wantContains: []string{`[{"id":"` + apiCardID + `"`, `"last4":"4321"`, `"daily_limit":null`}},
		{method: "GET", path: "/api/cards/virtual-cards/" + apiCardID, level: store.LevelReadOnly, wantStatus: 200,
			wantContains: []string{`"card_holder_name":"Api Ana"`, `"meta":{"email":"ana@example.com","otp_phone_number":{"dial_code":"+34","phone_number":"600111222"}}`}},
		{method: "GET", path: "/api/cards/transactions/" + apiCardID + "/search", level: store.LevelReadOnly, wantStatus: 200,
			wantContains: []string{`"number_of_elements":1`, `"next_page":null`, `"total_elements":1`, `"id":"` + apiTxID + `"`}},
		{method: "GET", path: "/api/cards/transactions/" + apiCardID + "/" + apiTxID, level: store.LevelReadOnly, wantStatus: 200,
			wantContains: []string{`"operation":"CLEARING"`, `"bill_amount":5.00`, `"datetime":"2023-11-14T22:15:00Z"`, `"decline_reason":null`}},
		{method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":"` + apiCardID + `","bill_amount":12.34}`,
			level: store.LevelOperational, wantStatus: 201, wantEmpty: true},
		{method: "POST", path: "/api/cards/webhook/simulate/clearing", body: `{"card_id":"` + apiCardID + `"}`,
			level: store.LevelOperational, wantStatus: 201, wantEmpty: true,
			before: func(t *testing.T, e *apiEnv) { e.simulate(t, store.ActAuthorize, "10") }},
		{method: "POST", path: "/api/cards/webhook/simulate/refund", body: `{"card_id":"` + apiCardID + `","bill_amount":4}`,
			level: store.LevelOperational, wantStatus: 201, wantEmpty: true,
			before: func(t *testing.T, e *apiEnv) {
				e.simulate(t, store.ActAuthorize, "10")
				e.simulate(t, store.ActClearing, "")
			}},
		{method: "POST", path: "/api/cards/webhook/simulate/reversal", body: `{"card_id":"` + apiCardID + `","bill_amount":10}`,
			level: store.LevelOperational, wantStatus: 201, wantEmpty: true,
			before: func(t *testing.T, e *apiEnv) { e.simulate(t, store.ActAuthorize, "10") }},
		{method: "PUT", path: "/api/cards/virtual-cards/" + apiCardID + "/reissue", level: store.LevelAdmin, wantStatus: 200,
			wantContains: []string{`"id":"` + apiCardID + `"`, `"status":"ACTIVE"`}},
		{method: "PATCH", path: "/api/cards/virtual-cards/" + apiCardID + "/frozen", body: `{"freeze":true}`, level: store.LevelAdmin,
			wantStatus: 200, wantContains: []string{`{}`}},
		{method: "POST", path: "/api/management/companies/webhook/subscribe", body: `{"url":"https://backend.example/hooks","webhook_key":"k-123"}`,
			level: store.LevelAdmin, wantStatus: 200, wantContains: []string{`"webhook_url":"https://backend.example/hooks"`}},
	}
	for _, rt := range newTestEnv(t).server.routes() {
		method, path, ok := strings.Cut(rt.pattern, " ")
		if rt.kind != kindAPI || !ok {
			continue
		}
		found := false
		for _, ep := range endpoints {
			p := strings.NewReplacer(apiCardID, "{cardId}", apiTxID, "{transactionId}").Replace(ep.path)
			if ep.method == method && p == path && ep.level == rt.level {
				found = true
			}
		}
		if !found {
			t.Errorf("route %s (level %d) is not in this table, or at another level", rt.pattern, rt.level)
		}
	}
	for _, ep := range endpoints {
		for _, as := range []store.Level{0, 1, 2, 3} {
			t.Run(ep.method+" "+ep.path+" key level "+string(rune('0'+as)), func(t *testing.T) {
				e := newAPIEnv(t)
				if ep.before != nil {
					ep.before(t, e)
				}
				rec := e.call(ep.method, ep.path, ep.body, as)
				if rec.Header().Get("X-Trace-Id") == "" {
					t.Errorf("no X-Trace-Id header")
				}
				if as < ep.level {
					if rec.Code != http.StatusUnauthorized {
						t.Fatalf("status = %d, want 401; body %s", rec.Code, rec.Body)
					}
					b := apiErr(t, rec)
					want := apiDenied
					if as == 0 {
						want = "Missing API Key: send it in the x-api-key header."
					}
					if b.Code != "API_ERROR" || b.Message != want || b.TraceID != rec.Header().Get("X-Trace-Id") {
						t.Errorf("body = %+v, want API_ERROR %q with the trace id", b, want)
					}
					return
				}
				if rec.Code != ep.wantStatus {
					t.Fatalf("status = %d, want %d; body %s", rec.Code, ep.wantStatus, rec.Body)
				}
				if ep.wantEmpty && rec.Body.Len() != 0 {
					t.Errorf("body = %q, want empty", rec.Body)
				}
				for _, w := range ep.wantContains {
					if !strings.Contains(rec.Body.String(), w) {
						t.Errorf("body does not contain %q: %.600s", w, rec.Body)
					}
				}
			})
		}
	}
}

// TestAPIErrors covers each documented refusal, in the provider's format.
func TestAPIErrors(t *testing.T) {
	const unknown = "00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name, method, path, body string
		level                    store.Level
		headers                  []string
		before                   func(t *testing.T, e *apiEnv)
		wantStatus               int
		wantCode, wantMessage    string
		// wantMessageStart is the start of a message that goes on with a time.
		wantMessageStart string
	}{
		{name: "unknown key", method: "GET", path: "/api/cards/virtual-cards/list", headers: []string{"x-api-key", "cok_nope"},
			wantStatus: 401, wantCode: "API_ERROR", wantMessage: "Invalid API Key."},
		{name: "malformed JSON", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":`, level: 2,
			wantStatus: 400, wantCode: "VAL"},
		{name: "wrong type of card_id", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":5,"bill_amount":1}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field card_id must be a string, not a number."},
		{name: "a field given twice", method: "PATCH", path: "/api/cards/virtual-cards/" + apiCardID + "/frozen", body: `{"freeze":true,"freeze":false}`, level: 3,
			wantStatus: 400, wantCode: "VAL", wantMessage: `The body is ambiguous: key "freeze" appears twice.`},
		{name: "a field in another case", method: "PATCH", path: "/api/cards/virtual-cards/" + apiCardID + "/frozen", body: `{"FREEZE":true}`, level: 3,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field FREEZE is not known; fields are named in lower case, e.g. freeze."},
		{name: "authorize without an amount", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":"` + apiCardID + `"}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field bill_amount is required."},
		{name: "refund without an amount", method: "POST", path: "/api/cards/webhook/simulate/refund", body: `{"card_id":"` + apiCardID + `"}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field bill_amount is required."},
		{name: "reversal with a null amount", method: "POST", path: "/api/cards/webhook/simulate/reversal", body: `{"card_id":"` + apiCardID + `","bill_amount":null}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field bill_amount is required."},
		{name: "amount as a string", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":"` + apiCardID + `","bill_amount":"12"}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field bill_amount must be a number, e.g. 12.34."},
		{name: "amount with an exponent, too precise", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":"` + apiCardID + `","bill_amount":1.2345e1}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: `The amount "1.2345e1" has more than two decimals; cents are the smallest unit`},
		{name: "amount with a huge exponent", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":"` + apiCardID + `","bill_amount":1e999999999999}`, level: 2,
			wantStatus: 400, wantCode: "VAL", wantMessage: `The amount "1e999999999999" is too large: at most 1,000,000.00 USD`},
		{name: "freeze not a boolean", method: "PATCH", path: "/api/cards/virtual-cards/" + apiCardID + "/frozen", body: `{"freeze":"yes"}`, level: 3,
			wantStatus: 400, wantCode: "VAL", wantMessage: "The field freeze must be a boolean, not a string."},
		{name: "authorize on an unknown card", method: "POST", path: "/api/cards/webhook/simulate/authorize", body: `{"card_id":"` + unknown + `","bill_amount":1}`, level: 2,
			wantStatus: 404, wantCode: "VAL", wantMessage: "Card not found: " + unknown},
		{name: "clearing without authorization", method: "POST", path: "/api/cards/webhook/simulate/clearing", body: `{"card_id":"` + apiCardID + `"}`, level: 2,
			wantStatus: 404, wantCode: "NOT_FOUND", wantMessage: "Authorization event not found for card " + apiCardID},
		{name: "reversal without authorization", method: "POST", path: "/api/cards/webhook/simulate/reversal", body: `{"card_id":"` + apiCardID + `","bill_amount":1}`, level: 2,
			wantStatus: 404, wantCode: "NOT_FOUND", wantMessage: "Authorization event not found for card " + apiCardID},
		{name: "refund without clearing", method: "POST", path: "/api/cards/webhook/simulate/refund", body: `{"card_id":"` + apiCardID + `","bill_amount":1}`, level: 2,
			wantStatus: 404, wantCode: "NOT_FOUND", wantMessage: "Cleared transaction not found for card " + apiCardID},
		{name: "get an unknown card", method: "GET", path: "/api/cards/virtual-cards/" + unknown, level: 1,
			wantStatus: 404, wantCode: "NOT_FOUND", wantMessage: "Card not found"},
		{name: "get another card's transaction", method: "GET", path: "/api/cards/transactions/" + unknown + "/" + apiTxID, level: 1,
			wantStatus: 404, wantCode: "NOT_FOUND", wantMessage: "Resource not found"},
		{name: "reissue an unknown card", method: "PUT", path: "/api/cards/virtual-cards/" + unknown + "/reissue", level: 3,
			wantStatus: 412, wantCode: "VAL", wantMessage: "Card not found"},
		{name: "reissue a deleted card", method: "PUT", path: "/api/cards/virtual-cards/dead0000-0000-4000-8000-000000000000/reissue", level: 3,
			before: func(t *testing.T, e *apiEnv) {
				storetest.AddCard(t, e.store, storetest.Card{ID: "dead0000-0000-4000-8000-000000000000", Holder: "Gone", Status: "DELETED"})
			},
			wantStatus: 412, wantCode: "STATE", wantMessage: "The card is DELETED and cannot be reissued"},
		{name: "freeze a frozen card", method: "PATCH", path: "/api/cards/virtual-cards/" + apiCardID + "/frozen", body: `{"freeze":true}`, level: 3,
			before: func(t *testing.T, e *apiEnv) {
				if rec := e.call("PATCH", "/api/cards/virtual-cards/"+apiCardID+"/frozen", `{"freeze":true}`, 3); rec.Code != 200 {
					t.Fatalf("first freeze: %d", rec.Code)
				}
			},
			wantStatus: 412, wantCode: "STATE", wantMessageStart: "This card is FROZEN already: "},
		{name: "subscribe a URL that is not http", method: "POST", path: "/api/management/companies/webhook/subscribe",
			body: `{"url":"ftp://x","webhook_key":"k"}`, level: 3, wantStatus: 400, wantCode: "VAL"},
		{name: "no such path", method: "GET", path: "/api/cards/nothing-here", level: 1, wantStatus: 404, wantCode: "NOT_FOUND"},
		{name: "idempotency key too long", method: "POST", path: "/api/cards/webhook/simulate/authorize",
			body: `{"card_id":"` + apiCardID + `","bill_amount":1}`, level: 2, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)},
			wantStatus: 400, wantCode: "VAL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIEnv(t)
			if tc.before != nil {
				tc.before(t, e)
			}
			rec := e.call(tc.method, tc.path, tc.body, tc.level, tc.headers...)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tc.wantStatus, rec.Body)
			}
			b := apiErr(t, rec)
			if b.Code != tc.wantCode || (tc.wantMessage != "" && b.Message != tc.wantMessage) || !strings.HasPrefix(b.Message, tc.wantMessageStart) {
				t.Errorf("body = %+v, want code %s message %q%s", b, tc.wantCode, tc.wantMessage, tc.wantMessageStart)
			}
			if b.TraceID == "" || b.TraceID != rec.Header().Get("X-Trace-Id") {
				t.Errorf("trace_id = %q, header %q: want the same, not empty", b.TraceID, rec.Header().Get("X-Trace-Id"))
			}
		})
	}
}

// TestAPIRevokedKey: a revoked key is refused at once.
func TestAPIRevokedKey(t *testing.T) {
	e := newAPIEnv(t)
	k, err := e.store.APIKeyBySecret(context.Background(), e.keys[1])
	if err != nil {
		t.Fatal(err)
	}
	if rec := e.call("GET", "/api/cards/virtual-cards/list", "", 1); rec.Code != 200 {
		t.Fatalf("before revoking: status = %d, want 200", rec.Code)
	}
	if _, err := e.store.RevokeAPIKey(context.Background(), k.ID, store.Actor{Username: "admin", Level: 3}); err != nil {
		t.Fatal(err)
	}
	rec := e.call("GET", "/api/cards/virtual-cards/list", "", 1)
	if rec.Code != 401 || apiErr(t, rec).Code != "API_ERROR" {
		t.Errorf("after revoking: status = %d body %s, want 401 API_ERROR", rec.Code, rec.Body)
	}
}

// TestAPIAllowlist: a key with an allowlist answers only calls from it.
func TestAPIAllowlist(t *testing.T) {
	e := newAPIEnv(t)
	_, secret, err := e.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "office", Level: 1,
		Allowlist: "10.0.0.0/8, 203.0.113.7", Actor: store.Actor{Username: "admin", Level: 3}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		remote string
		want   int
	}{{"10.1.2.3:5000", 200}, {"203.0.113.7:5000", 200}, {"203.0.113.8:5000", 401}, {"192.0.2.1:1234", 401}, {"[::ffff:10.9.9.9]:80", 200}} {
		req := httptest.NewRequest("GET", "/api/cards/virtual-cards/"+apiCardID, nil)
		req.RemoteAddr = tc.remote
		req.Header.Set("x-api-key", secret)
		rec := e.do(req)
		if rec.Code != tc.want {
			t.Errorf("from %s: status = %d, want %d; body %s", tc.remote, rec.Code, tc.want, rec.Body)
		}
		if tc.want == 401 && !strings.Contains(apiErr(t, rec).Message, "allowlist") {
			t.Errorf("from %s: message %q does not name the allowlist", tc.remote, apiErr(t, rec).Message)
		}
	}
}

// TestAPIRateLimit: over the per-key rate, calls are refused 429 with
// Retry-After and the provider's body; other keys are not affected.
func TestAPIRateLimit(t *testing.T) {
	e := newAPIEnv(t, func(c *Config) { c.APIRate = 2 })
	now := time.Date(2026, 4, 21, 12, 0, 0, 0, time.UTC)
	e.server.now = func() time.Time { return now }
	for i := range 2 {
		if rec := e.call("GET", "/api/cards/virtual-cards/list", "", 1); rec.Code != 200 {
			t.Fatalf("call %d: status = %d, want 200", i+1, rec.Code)
		}
	}
	rec := e.call("GET", "/api/cards/virtual-cards/list", "", 1)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("third call: status = %d, want 429", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After = %q, want 1", got)
	}
	var b map[string]string
	json.Unmarshal(rec.Body.Bytes(), &b)
	if b["error_code"] != "TOO_MANY_REQUESTS" || b["message"] != "Rate limit exceeded. Retry after 1 seconds" || b["trace_id"] == "" {
		t.Errorf("body = %v", b)
	}
	if rec := e.call("GET", "/api/cards/virtual-cards/list", "", 2); rec.Code != 200 {
		t.Errorf("another key: status = %d, want 200", rec.Code)
	}
	// Blocked for a second, then allowed; a second violation blocks for two.
	now = now.Add(time.Second)
	if rec := e.call("GET", "/api/cards/virtual-cards/list", "", 1); rec.Code != 200 {
		t.Errorf("after the block: status = %d, want 200", rec.Code)
	}
	e.call("GET", "/api/cards/virtual-cards/list", "", 1)
	rec = e.call("GET", "/api/cards/virtual-cards/list", "", 1)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" {
		t.Errorf("second violation: status = %d Retry-After %q, want 429 and 2", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestAPIKeylessLimitCountsAnIPv6Subscriber: calls without a key are
// limited per address, and an IPv6 client's addresses in one /64 share that
// limit: rotating through them gets no more calls into the request log than
// one address does.
func TestAPIKeylessLimitCountsAnIPv6Subscriber(t *testing.T) {
	e := newAPIEnv(t)
	now := time.Date(2026, 4, 21, 12, 0, 0, 0, time.UTC)
	e.server.now = func() time.Time { return now }
	answered := func(remote func(i int) string) int {
		n := 0
		for i := range 100 {
			req := httptest.NewRequest("GET", "/api/cards/virtual-cards/list", nil)
			req.RemoteAddr = remote(i)
			if rec := e.do(req); rec.Code == http.StatusUnauthorized {
				n++
			} else if rec.Code != http.StatusTooManyRequests {
				t.Fatalf("keyless call from %s: status %d", req.RemoteAddr, rec.Code)
			}
		}
		return n
	}
	one := answered(func(int) string { return "192.0.2.50:1000" })
	rotating := answered(func(i int) string { return fmt.Sprintf("[2001:db8:bb:1::%x]:1000", i+1) })
	if one == 100 || rotating != one {
		t.Errorf("answered before 429: one address %d, addresses of one /64 %d; want the same limit", one, rotating)
	}
}

// TestAPIReissueIdempotent: a reissue retried with the same Idempotency-Key
// answers the first answer and reissues once; the same key with another
// request is refused 422.
func TestAPIReissueIdempotent(t *testing.T) {
	e := newAPIEnv(t)
	path := "/api/cards/virtual-cards/" + apiCardID + "/reissue"
	first := e.call("PUT", path, "", 3, "Idempotency-Key", "retry-1")
	if first.Code != 200 {
		t.Fatalf("first: status = %d; %s", first.Code, first.Body)
	}
	second := e.call("PUT", path, "", 3, "Idempotency-Key", "retry-1")
	if second.Code != 200 || second.Body.String() != first.Body.String() {
		t.Errorf("retry: status %d body %s, want the first answer %s", second.Code, second.Body, first.Body)
	}
	if second.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: no Idempotent-Replayed header")
	}
	nums, err := e.store.CardNumbers(context.Background(), apiCardID)
	if err != nil {
		t.Fatal(err)
	}
	if len(nums) != 2 {
		t.Errorf("card has %d numbers, want 2 (the first and one reissue)", len(nums))
	}
	other := e.call("PATCH", "/api/cards/virtual-cards/"+apiCardID+"/frozen", `{"freeze":true}`, 3, "Idempotency-Key", "retry-1")
	if other.Code != http.StatusUnprocessableEntity || apiErr(t, other).Code != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, another request: status %d body %s, want 422", other.Code, other.Body)
	}
	third := e.call("PUT", path, "", 3, "Idempotency-Key", "retry-2")
	if third.Code != 200 || third.Body.String() == first.Body.String() {
		t.Errorf("new key: want a second reissue with a new last4; got %d %s", third.Code, third.Body)
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Actor: "apikey:backend-l3", Action: "card.reissue"})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 {
		t.Errorf("audit has %d card.reissue rows by apikey:backend-l3, want 2", len(audit))
	}
}

// TestAPISimulateIdempotent: a simulation answers 201 with no body; its
// retry with the same Idempotency-Key replays that answer and runs nothing
// again, and the same key with another body is refused 422 (from a QA
// pass: an empty answer could not be kept, so every retry ran again).
func TestAPISimulateIdempotent(t *testing.T) {
	e := newAPIEnv(t)
	const path = "/api/cards/webhook/simulate/authorize"
	first := e.call("POST", path, `{"card_id":"`+apiCardID+`","bill_amount":3}`, 2, "Idempotency-Key", "sim-1")
	if first.Code != http.StatusCreated {
		t.Fatalf("first: status = %d; %s", first.Code, first.Body)
	}
	second := e.call("POST", path, `{"card_id":"`+apiCardID+`","bill_amount":3}`, 2, "Idempotency-Key", "sim-1")
	if second.Code != first.Code || second.Body.String() != first.Body.String() || second.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: status %d body %q replayed %q, want the first answer replayed", second.Code, second.Body, second.Header().Get("Idempotent-Replayed"))
	}
	other := e.call("POST", path, `{"card_id":"`+apiCardID+`","bill_amount":8}`, 2, "Idempotency-Key", "sim-1")
	if other.Code != http.StatusUnprocessableEntity || apiErr(t, other).Code != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, another body: status %d body %s, want 422", other.Code, other.Body)
	}
	ms, _, err := e.store.CardMovements(context.Background(), apiCardID, store.MovementCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	auths := 0
	for _, m := range ms {
		if m.Operation == "AUTHORIZATION" {
			auths++
		}
	}
	if auths != 1 {
		t.Errorf("card has %d authorizations, want 1", auths)
	}
}

// TestAPIReissueShownOnTheCardPage: a reissue through the API shows in the
// card's Reissues section and its timeline's reissues, as the console's do.
func TestAPIReissueShownOnTheCardPage(t *testing.T) {
	e := newAPIEnv(t)
	if rec := e.call("PUT", "/api/cards/virtual-cards/"+apiCardID+"/reissue", "", store.LevelAdmin); rec.Code != 200 {
		t.Fatalf("reissue: %d %s", rec.Code, rec.Body)
	}
	admin := e.login("admin")
	wantBody(t, e.get(admin, "/cards/"+apiCardID), http.StatusOK, "apikey:backend-l3", "one step, through the API")
	if strings.Contains(e.get(admin, "/cards/"+apiCardID).Body.String(), "No reissue was made from the console or the API") {
		t.Error("the card page says the card has not been reissued")
	}
	wantBody(t, e.get(admin, "/cards/"+apiCardID+"/timeline?kind=reissue"), http.StatusOK, "apikey:backend-l3")
}

// TestAPIReissueRefusedUnderFourEyes: with four-eyes reissue on, an admin
// key cannot reissue alone (the console needs a second admin for every
// reissue): 412 STATE, the number unchanged, the refusal audited.
func TestAPIReissueRefusedUnderFourEyes(t *testing.T) {
	e := newAPIEnv(t)
	e.server.fourEyes = true
	rec := e.call("PUT", "/api/cards/virtual-cards/"+apiCardID+"/reissue", "", store.LevelAdmin)
	if rec.Code != http.StatusPreconditionFailed || apiErr(t, rec).Code != "STATE" || !strings.Contains(apiErr(t, rec).Message, "second admin") {
		t.Fatalf("status %d body %s, want 412 STATE naming the second admin", rec.Code, rec.Body)
	}
	if nums, err := e.store.CardNumbers(context.Background(), apiCardID); err != nil || len(nums) != 1 {
		t.Errorf("card numbers = %d (%v), want the first one only", len(nums), err)
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Actor: "apikey:backend-l3", Action: "card.reissue"})
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Result != store.ResultRefused || audit[0].TargetID != apiCardID {
		t.Errorf("audit = %+v, want one refused card.reissue of %s", audit, apiCardID)
	}
}

// TestAPISimulateCardNumberAsCardID: a full card number sent as card_id is
// not found, and neither the answer, the audit row nor the request log
// holds it: each shows it masked.
func TestAPISimulateCardNumberAsCardID(t *testing.T) {
	e := newAPIEnv(t)
	rec := e.call("POST", "/api/cards/webhook/simulate/authorize", `{"card_id":"`+testPAN+`","bill_amount":5}`, store.LevelOperational)
	if rec.Code != 404 || apiErr(t, rec).Message != "Card not found: "+store.MaskPAN(testPAN) {
		t.Errorf("status %d body %s, want 404 naming the masked number", rec.Code, rec.Body)
	}
	var n int
	if err := e.store.Reader().QueryRow(`SELECT (SELECT count(*) FROM audit_log WHERE target_id LIKE ?1 OR detail LIKE ?1)
		+ (SELECT count(*) FROM api_requests WHERE request_body LIKE ?1 OR response_body LIKE ?1)`, "%"+testPAN[6:12]+"%").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows holding the number: %d (%v), want none", n, err)
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Actor: "apikey:backend-l2"})
	if err != nil || len(audit) == 0 || audit[0].TargetID != store.MaskPAN(testPAN) {
		t.Errorf("audit = %+v (%v), want the refusal naming the masked number", audit, err)
	}
}

// TestAPIStateChangesNameTheKey: the API's changes are audited, and shown
// in the card's history, with the key's name as the actor.
func TestAPIStateChangesNameTheKey(t *testing.T) {
	e := newAPIEnv(t)
	if rec := e.call("PATCH", "/api/cards/virtual-cards/"+apiCardID+"/frozen", `{"freeze":true}`, 3); rec.Code != 200 {
		t.Fatalf("freeze: %d %s", rec.Code, rec.Body)
	}
	if rec := e.call("POST", "/api/cards/webhook/simulate/authorize", `{"card_id":"`+apiCardID+`","bill_amount":1}`, 2); rec.Code != 201 {
		t.Fatalf("authorize: %d %s", rec.Code, rec.Body)
	}
	hist, err := e.store.CardStatusHistory(context.Background(), apiCardID)
	if err != nil || len(hist) != 1 || hist[0].Actor != "apikey:backend-l3" || hist[0].Reason != store.FreezeNotGiven {
		t.Errorf("status history = %+v, %v; want one freeze by apikey:backend-l3", hist, err)
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Actor: "apikey:backend-l2"})
	if err != nil || len(audit) != 1 || audit[0].Action != "simulate.authorize" {
		t.Errorf("audit of the level-2 key = %+v, %v; want its simulate.authorize", audit, err)
	}
}

// TestAPIRequestLog: every call is logged with its key, status and trace
// id; secrets are redacted; the request log pages need level 2.
func TestAPIRequestLog(t *testing.T) {
	e := newAPIEnv(t)
	sub := e.call("POST", "/api/management/companies/webhook/subscribe", `{"url":"https://b.example/h","webhook_key":"very-secret-key"}`, 3)
	e.call("GET", "/api/cards/virtual-cards/"+apiCardID, "", 1)
	e.call("GET", "/api/cards/virtual-cards/list", "", 0)
	reqs, err := e.store.APIRequests(context.Background(), store.APIRequestFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 3 {
		t.Fatalf("log has %d calls, want 3", len(reqs))
	}
	if r := reqs[2]; r.KeyName != "backend-l3" || r.Status != 200 || r.TraceID != sub.Header().Get("X-Trace-Id") ||
		strings.Contains(r.RequestBody+r.ResponseBody, "very-secret-key") || !strings.Contains(r.RequestBody, "[redacted]") {
		t.Errorf("subscribe call logged as %+v", r)
	}
	if r := reqs[1]; r.CardID != apiCardID || r.Method != "GET" {
		t.Errorf("get card logged as %+v, want its card id", r)
	}
	if r := reqs[0]; r.KeyName != "" || r.Status != 401 {
		t.Errorf("call without a key logged as %+v", r)
	}
	k, _ := e.store.APIKeyBySecret(context.Background(), e.keys[1])
	if k.LastUsedAt == 0 || k.LastUsedAddr != "192.0.2.1" {
		t.Errorf("key last used = %d from %q, want now from 192.0.2.1", k.LastUsedAt, k.LastUsedAddr)
	}
	runScenarios(t, []scenario{
		{name: "viewer cannot open the request log", method: "GET", url: "/api-log", as: 1, wantStatus: 403, wantContains: []string{"Not allowed"}},
		{name: "operator opens the request log", method: "GET", url: "/api-log", as: 2, wantStatus: 200, wantContains: []string{"API request log", `sse-connect="/api-log/stream?after=0"`}},
	})
	cookie := e.login("operator")
	for _, tc := range []struct{ url, want, notWant string }{
		{"/api-log?key=backend-l1", "/api/cards/virtual-cards/" + apiCardID, "webhook/subscribe"},
		{"/api-log?status=4xx", "/api/cards/virtual-cards/list", "webhook/subscribe"},
		{"/api-log?card=" + apiCardID, "backend-l1", "webhook/subscribe"},
		{"/api-log?path=/api/management", "webhook/subscribe", "virtual-cards/list"},
	} {
		req := httptest.NewRequest("GET", tc.url, nil)
		req.AddCookie(cookie)
		rec := e.do(req)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), tc.want) || strings.Contains(rec.Body.String(), tc.notWant) {
			t.Errorf("%s: status %d; want %q and not %q", tc.url, rec.Code, tc.want, tc.notWant)
		}
	}
	req := httptest.NewRequest("GET", "/api-log/"+itoa64(reqs[2].ID), nil)
	req.AddCookie(cookie)
	rec := e.do(req)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "very-secret-key") || !strings.Contains(rec.Body.String(), "https://b.example/h") {
		t.Errorf("detail: status %d, want the call without its key; %.500s", rec.Code, rec.Body)
	}
}

// TestAPICrossOriginAllowed: a browser-style cross-site call with a key is
// not refused by the console's cross-origin protection (it has no cookie to
// abuse); a console form post from another site still is.
func TestAPICrossOriginAllowed(t *testing.T) {
	e := newAPIEnv(t)
	rec := e.call("POST", "/api/cards/webhook/simulate/authorize", `{"card_id":"`+apiCardID+`","bill_amount":1}`, 2,
		"Origin", "https://other.example", "Sec-Fetch-Site", "cross-site")
	if rec.Code != 201 {
		t.Errorf("API call from another origin: status = %d, want 201; %s", rec.Code, rec.Body)
	}
	req := formRequest("POST", "/cards/"+apiCardID+"/freeze", nil)
	req.Header.Set("Origin", "https://other.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := e.do(req); rec.Code != 403 {
		t.Errorf("console form from another origin: status = %d, want 403", rec.Code)
	}
}

// TestAPIRateLimitWithoutKey: calls without a valid key are limited per
// address.
func TestAPIRateLimitWithoutKey(t *testing.T) {
	e := newAPIEnv(t, func(c *Config) { c.APIRate = 2 })
	now := time.Date(2026, 4, 21, 12, 0, 0, 0, time.UTC)
	e.server.now = func() time.Time { return now }
	for i, want := range []int{401, 401, 429} {
		rec := e.call("GET", "/api/cards/virtual-cards/list", "", 0, "x-api-key", "cok_guess"+strconv.Itoa(i))
		if rec.Code != want {
			t.Errorf("call %d: status = %d, want %d", i+1, rec.Code, want)
		}
	}
	if rec := e.call("GET", "/api/cards/virtual-cards/list", "", 1); rec.Code != 200 {
		t.Errorf("a valid key from the same address: status = %d, want 200", rec.Code)
	}
}

// TestAPIRateLimitEveryRefusal: calls the API refuses are limited too (a
// revoked key, an address outside the key's allowlist, and the public
// routes per address; a key without the route's level per key), so no
// kind of call floods the request log; the calls refused for their rate
// are not written to it.
func TestAPIRateLimitEveryRefusal(t *testing.T) {
	e := newAPIEnv(t, func(c *Config) { c.APIRate = 2 })
	now := time.Date(2026, 4, 21, 12, 0, 0, 0, time.UTC)
	e.server.now = func() time.Time { return now }
	old, revoked, err := e.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "old", Level: store.LevelAdmin,
		Actor: store.Actor{Username: "admin", Level: store.LevelAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeAPIKey(context.Background(), old.ID, store.Actor{Username: "admin", Level: store.LevelAdmin}); err != nil {
		t.Fatal(err)
	}
	_, fenced, err := e.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "fenced", Level: store.LevelAdmin, Allowlist: "10.0.0.0/8",
		Actor: store.Actor{Username: "admin", Level: store.LevelAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path string
		level              store.Level
		headers            []string
		refused            int
	}{
		{"revoked key", "GET", "/api/cards/virtual-cards/list", 0, []string{"x-api-key", revoked}, 401},
		{"outside the allowlist", "GET", "/api/cards/virtual-cards/list", 0, []string{"x-api-key", fenced}, 401},
		{"unknown API path", "GET", "/api/nothing", 0, nil, 404},
		{"the OpenAPI document", "GET", "/api/openapi.json", 0, nil, 200},
		{"a key below the route's level", "PUT", "/api/cards/virtual-cards/" + apiCardID + "/reissue", 1, nil, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now = now.Add(time.Hour) // every address and key starts afresh
			logged := func() int {
				var n int
				if err := e.store.Reader().QueryRow(`SELECT count(*) FROM api_requests`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := logged()
			for i, want := range []int{tc.refused, tc.refused, http.StatusTooManyRequests, http.StatusTooManyRequests} {
				if rec := e.call(tc.method, tc.path, "", tc.level, tc.headers...); rec.Code != want {
					t.Errorf("call %d: status = %d, want %d", i+1, rec.Code, want)
				}
			}
			// The calls refused for their rate are not written to the log.
			if n := logged() - before; n != 2 {
				t.Errorf("calls logged = %d, want 2 (not the two refused 429)", n)
			}
		})
	}
}

// TestAPIRefusedKeyCallsKeptBounded: a call with a revoked key, or with a
// key from outside its allowlist, is an unauthenticated call: the request
// log keeps as little of it as of a call without a key (256 bytes of body
// and path, no Idempotency-Key), while it still names the key.
func TestAPIRefusedKeyCallsKeptBounded(t *testing.T) {
	e := newAPIEnv(t)
	admin := store.Actor{Username: "admin", Level: store.LevelAdmin}
	old, revoked, err := e.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "old", Level: store.LevelAdmin, Actor: admin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.RevokeAPIKey(context.Background(), old.ID, admin); err != nil {
		t.Fatal(err)
	}
	_, fenced, err := e.store.CreateAPIKey(context.Background(), store.NewAPIKey{Name: "fenced", Level: store.LevelAdmin,
		Allowlist: "10.0.0.0/8", Actor: admin})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"url":"https://example.com/hook","filler":"` + strings.Repeat("x", 3000) + `"}`
	path := "/api/cards/virtual-cards/" + strings.Repeat("p", 600) + "/reissue"
	for _, tc := range []struct{ name, key, secret string }{{"revoked", "old", revoked}, {"outside the allowlist", "fenced", fenced}} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := e.call("PUT", path, body, 0, "x-api-key", tc.secret, "Idempotency-Key", strings.Repeat("i", 200)); rec.Code != 401 {
				t.Fatalf("status = %d, want 401; body %s", rec.Code, rec.Body)
			}
			got, err := e.store.APIRequests(context.Background(), store.APIRequestFilter{KeyName: tc.key, Limit: 1})
			if err != nil || len(got) != 1 {
				t.Fatalf("request log of %s = %v, %v; want the call", tc.key, got, err)
			}
			c, err := e.store.APIRequestByID(context.Background(), got[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.RequestBody) > store.AnonymousValueMax || len(c.Path) > store.AnonymousValueMax || c.IdemKey != "" || c.Status != 401 {
				t.Errorf("kept a %d-byte body, a %d-byte path, Idempotency-Key %q, status %d; want at most %d bytes each, no key, 401",
					len(c.RequestBody), len(c.Path), c.IdemKey, c.Status, store.AnonymousValueMax)
			}
		})
	}
	// A valid key's call keeps its body (up to 4 KiB), refused or not.
	if rec := e.call("PATCH", "/api/cards/virtual-cards/"+apiCardID+"/frozen", `{"frozen":"x","filler":"`+strings.Repeat("x", 3000)+`"}`,
		store.LevelAdmin); rec.Code != 400 {
		t.Fatalf("a valid key's bad call: status %d, want 400; body %s", rec.Code, rec.Body)
	}
	got, err := e.store.APIRequests(context.Background(), store.APIRequestFilter{KeyName: "backend-l3", Limit: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("request log of backend-l3 = %v, %v", got, err)
	}
	if c, _ := e.store.APIRequestByID(context.Background(), got[0].ID); len(c.RequestBody) < 3000 {
		t.Errorf("a valid key's call kept %d bytes of its body, want all of it", len(c.RequestBody))
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestAPIWebhookSubscription: the subscription is audited with the key as
// the actor, takes effect at once and survives a restart.
func TestAPIWebhookSubscription(t *testing.T) {
	e := newAPIEnv(t)
	if u, _ := e.server.WebhookSubscription(); u != "" {
		t.Fatalf("before: subscription %q, want none", u)
	}
	rec := e.call("POST", "/api/management/companies/webhook/subscribe", `{"url":"https://team.example/hooks","webhook_key":"team-key"}`, 3)
	if rec.Code != 200 {
		t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	if u, k := e.server.WebhookSubscription(); u != "https://team.example/hooks" || k != "team-key" {
		t.Errorf("after: %q %q", u, k)
	}
	restarted, err := New(context.Background(), Config{Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restarted.Close)
	if u, k := restarted.WebhookSubscription(); u != "https://team.example/hooks" || k != "team-key" {
		t.Errorf("after a restart: %q %q", u, k)
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Actor: "apikey:backend-l3"})
	if err != nil || len(audit) != 1 || audit[0].Action != "webhook.subscribe" || strings.Contains(audit[0].Detail, "team-key") {
		t.Errorf("audit = %+v, %v; want one webhook.subscribe without the key", audit, err)
	}
}

// TestWebhookSubscriptionShownAndCleared: the settings page shows where an
// API key sent the notifications; an admin sends them back to the default
// target (audited, at once for the dispatcher, and for good); an operator
// cannot.
func TestWebhookSubscriptionShownAndCleared(t *testing.T) {
	e := newAPIEnv(t)
	admin := e.login("admin")
	wantBody(t, e.get(admin, "/settings/webhooks"), http.StatusOK, "Notifications go to the default target")
	if rec := e.call("POST", "/api/management/companies/webhook/subscribe", `{"url":"https://team.example/hooks","webhook_key":"team-key"}`, 3); rec.Code != 200 {
		t.Fatalf("subscribe: %d %s", rec.Code, rec.Body)
	}
	page := e.get(admin, "/settings/webhooks")
	wantBody(t, page, http.StatusOK, "https://team.example/hooks", "Deliver to the default target again")
	if strings.Contains(page.Body.String(), "team-key") {
		t.Error("the settings page shows the subscription's key")
	}
	if rec := e.post(e.login("operator"), "/settings/webhooks/subscription/clear", url.Values{}); rec.Code != http.StatusForbidden {
		t.Errorf("operator clears: status %d, want 403", rec.Code)
	}
	if rec := e.post(admin, "/settings/webhooks/subscription/clear", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("admin clears: status %d, want 303", rec.Code)
	}
	if u, _ := e.server.WebhookSubscription(); u != "" {
		t.Errorf("after clearing: subscription %q, want none", u)
	}
	restarted, err := New(context.Background(), Config{Store: e.store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(restarted.Close)
	if u, _ := restarted.WebhookSubscription(); u != "" {
		t.Errorf("after clearing and a restart: subscription %q, want none", u)
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "webhook.unsubscribe"})
	if err != nil || len(audit) != 1 || audit[0].Actor != "admin" || !strings.Contains(audit[0].Detail, "https://team.example/hooks") {
		t.Errorf("audit = %+v, %v; want one webhook.unsubscribe by admin naming the URL", audit, err)
	}
	if rec := e.post(admin, "/settings/webhooks/subscription/clear", url.Values{}); rec.Code != http.StatusConflict {
		t.Errorf("clearing again: status %d, want 409", rec.Code)
	}
}

// TestAPILogStreamCatchesUp: the request log's stream first sends the calls
// logged after the page's newest row (here: all), then its ready state;
// with a filter it sends only matching calls.
func TestAPILogStreamCatchesUp(t *testing.T) {
	e := newAPIEnv(t)
	e.call("GET", "/api/cards/virtual-cards/"+apiCardID, "", 1)
	e.call("GET", "/api/cards/virtual-cards/list", "", 2)
	cookie := e.login("operator")
	for _, tc := range []struct {
		url           string
		want, notWant []string
	}{
		{"/api-log/stream?after=0", []string{"event: apilog-row", "/api/cards/virtual-cards/" + apiCardID, "virtual-cards/list", `data-stream="open"`}, nil},
		{"/api-log/stream?after=0&key=backend-l2", []string{"virtual-cards/list"}, []string{"/api/cards/virtual-cards/" + apiCardID}},
		{"/api-log/stream", []string{`data-stream="open"`}, []string{"event: apilog-row"}},
	} {
		// The calls caught up and the ready state go out in the stream's
		// first write; the stream ends after it.
		req := httptest.NewRequest("GET", tc.url, nil)
		req.AddCookie(cookie)
		body := e.doStream(req).Body.String()
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: stream lacks %q: %.500s", tc.url, w, body)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(body, w) {
				t.Errorf("%s: stream has %q", tc.url, w)
			}
		}
	}
}

// TestAPICardNumberInURLNeverKept: a card number sent where an id belongs,
// in the path or the query, with a key or without, and a key sent as a
// query parameter, reach neither the request log nor the server's log.
func TestAPICardNumberInURLNeverKept(t *testing.T) {
	var logged bytes.Buffer
	e := newAPIEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logged, nil)) })
	const pan, spaced = "4111111111111111", "4242+4242+4242+4242"
	for _, level := range []store.Level{0, 1} {
		e.call("GET", "/api/cards/virtual-cards/"+pan+"?x="+spaced+"&api_key=leaked-secret", "", level)
		e.call("GET", "/api/cards/transactions/"+pan+"/search?card="+pan, "", level)
	}
	e.call("GET", "/api/cards/virtual-cards/"+apiCardID+"?page=1234567890123", "", 1) // not a card number: kept
	reqs, err := e.store.APIRequests(context.Background(), store.APIRequestFilter{})
	if err != nil || len(reqs) != 5 {
		t.Fatalf("log has %d calls (%v), want 5", len(reqs), err)
	}
	for _, r := range reqs[1:] {
		kept := r.Path + " " + r.Query + " " + r.CardID
		if strings.Contains(kept, "4111") || strings.Contains(kept, "4242") || strings.Contains(kept, "leaked-secret") ||
			!strings.Contains(r.Path, "[redacted number]") {
			t.Errorf("call kept as path %q, query %q, card %q", r.Path, r.Query, r.CardID)
		}
	}
	if r := reqs[0]; r.Path != "/api/cards/virtual-cards/"+apiCardID || r.Query != "page=1234567890123" || r.CardID != apiCardID {
		t.Errorf("ordinary call kept as path %q, query %q, card %q", r.Path, r.Query, r.CardID)
	}
	if strings.Contains(logged.String(), "4111") || !strings.Contains(logged.String(), "[redacted number]") {
		t.Errorf("server log:\n%s", logged.String())
	}
}

// TestAPIBusyDatabaseAnswers503: an API write while another process holds
// the database's write lock answers 503 with Retry-After in the provider's
// format, so the caller's retry logic can tell it from a failure.
func TestAPIBusyDatabaseAnswers503(t *testing.T) {
	e := newAPIEnv(t)
	e.store.SetWriteTimeout(100 * time.Millisecond)
	storetest.HoldWriteLock(t, e.store)
	rec := e.call("POST", "/api/cards/webhook/simulate/authorize", `{"card_id":"`+apiCardID+`","bill_amount":12.34}`, 2)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" ||
		rec.Header().Get("Content-Type") != "application/json" || !strings.Contains(rec.Body.String(), `"code":"UNAVAILABLE"`) {
		t.Errorf("answer %d %q (Retry-After %q): want 503 UNAVAILABLE with Retry-After", rec.Code, rec.Body, rec.Header().Get("Retry-After"))
	}
}

// TestAPIPanicAnswersJSON: a handler that panics behind the API guard is
// answered as every API failure is, in JSON with the trace id, and the
// request log records it as the 500 it was.
func TestAPIPanicAnswersJSON(t *testing.T) {
	e := newAPIEnv(t)
	h := e.server.middleware(e.server.apiGuard(route{pattern: "GET /api/boom", level: store.LevelReadOnly, kind: kindAPI,
		handle: func(http.ResponseWriter, *http.Request) { panic("boom") }}))
	req := httptest.NewRequest("GET", "/api/boom", nil)
	req.Header.Set("x-api-key", e.keys[store.LevelReadOnly])
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != "application/json" ||
		!strings.Contains(rec.Body.String(), `"code":"API_ERROR"`) || !strings.Contains(rec.Body.String(), `"trace_id":"`) {
		t.Errorf("answer %d %q %q, want 500 in the JSON error format", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	reqs, err := e.store.APIRequests(context.Background(), store.APIRequestFilter{})
	if err != nil || len(reqs) != 1 || reqs[0].Status != http.StatusInternalServerError {
		t.Errorf("request log = %+v, %v; want the call as a 500", reqs, err)
	}
}
