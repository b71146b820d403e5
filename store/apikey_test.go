package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestCreateAPIKey: a key is shown once, only its hash is kept, its input
// is validated and its creation and revocation are audited.
func TestCreateAPIKey(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	admin := Actor{Username: "admin", Level: LevelAdmin}
	for _, tc := range []struct {
		n     NewAPIKey
		field string
	}{
		{NewAPIKey{Name: "", Level: 1}, "name"},
		{NewAPIKey{Name: "a:b", Level: 1}, "name"},
		{NewAPIKey{Name: strings.Repeat("n", 61), Level: 1}, "name"},
		{NewAPIKey{Name: "x", Level: 4}, "level"},
		{NewAPIKey{Name: "x", Level: 1, Allowlist: "10.0.0.0/40"}, "allowlist"},
		{NewAPIKey{Name: "x", Level: 1, Allowlist: "example.com"}, "allowlist"},
	} {
		var fe FieldErrors
		if _, _, err := st.CreateAPIKey(ctx, tc.n); !errors.As(err, &fe) || fe[tc.field] == "" {
			t.Errorf("%+v: err = %v, want a %s error", tc.n, err, tc.field)
		}
	}
	k, secret, err := st.CreateAPIKey(ctx, NewAPIKey{Name: "ci", Level: LevelOperational, Allowlist: "10.0.0.0/8 203.0.113.7", Actor: admin})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "cok_") || len(secret) != 4+43 || !strings.HasPrefix(secret, k.Prefix) {
		t.Errorf("secret %q prefix %q: want cok_ and 32 random bytes", secret, k.Prefix)
	}
	var stored int
	st.r.QueryRowContext(ctx, `SELECT count(*) FROM api_keys WHERE instr(CAST(key_hash AS TEXT), ?) > 0 OR instr(allowlist || name || prefix, ?) > 0`,
		secret, secret).Scan(&stored)
	if stored != 0 {
		t.Errorf("the key is stored in clear")
	}
	if _, _, err := st.CreateAPIKey(ctx, NewAPIKey{Name: "CI", Level: 1, Actor: admin}); !errors.Is(err, ErrAPIKeyNameTaken) {
		t.Errorf("same name: err = %v, want ErrAPIKeyNameTaken", err)
	}
	got, err := st.APIKeyBySecret(ctx, secret)
	if err != nil || got.ID != k.ID || got.AllowlistText() != "10.0.0.0/8, 203.0.113.7" {
		t.Fatalf("by secret = %+v, %v", got, err)
	}
	for addr, want := range map[string]bool{"10.20.30.40": true, "203.0.113.7": true, "203.0.113.8": false, "::1": false, "junk": false} {
		if got.Allows(addr) != want {
			t.Errorf("Allows(%s) = %v, want %v", addr, !want, want)
		}
	}
	if _, err := st.APIKeyBySecret(ctx, secret+"x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("wrong secret: err = %v, want ErrNotFound", err)
	}
	if _, err := st.RevokeAPIKey(ctx, k.ID, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RevokeAPIKey(ctx, k.ID, admin); !errors.Is(err, ErrAPIKeyRevoked) {
		t.Errorf("second revoke: err = %v, want ErrAPIKeyRevoked", err)
	}
	audit, _ := st.AuditLog(ctx, AuditFilter{Actor: "admin"})
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action+" "+a.Result)
		if strings.Contains(a.Detail, secret) {
			t.Errorf("audit detail holds the key: %s", a.Detail)
		}
	}
	if strings.Join(actions, ",") != "apikey.revoke refused,apikey.revoke ok,apikey.create ok" {
		t.Errorf("audit = %v", actions)
	}
}

// TestRecordAPIRequest: bodies are redacted and bounded, and the log keeps
// only the newest APIRequestsKept calls.
func TestRecordAPIRequest(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	key, _, err := st.CreateAPIKey(ctx, NewAPIKey{Name: "team", Level: LevelAdmin, Actor: Actor{Username: "cli"}})
	if err != nil {
		t.Fatal(err)
	}
	r := &APIRequest{KeyID: key.ID, KeyName: key.Name, Method: "POST", Path: "/api/x", Status: 200, TraceID: "t1",
		RequestBody:  `{"url":"https://x","webhook_key":"s3cr\"et","card":"4242 4242 4242 4242","n":"4242424242424242"}` + strings.Repeat(" ", 5000),
		ResponseBody: `{"webhook_key":"s3cr\"et"}`}
	if err := st.RecordAPIRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, err := st.APIRequestByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	all := got.RequestBody + got.ResponseBody
	if strings.Contains(all, "s3cr") || strings.Contains(all, "4242") || len(got.RequestBody) > APIBodyMax+64 ||
		!strings.Contains(got.RequestBody, `"url":"https://x"`) {
		t.Errorf("stored bodies %q / %q: want the key and numbers redacted, bounded", got.RequestBody[:120], got.ResponseBody)
	}
	// A call without a valid key keeps less of what anyone can send.
	anon := &APIRequest{Method: "POST", Path: "/api/" + strings.Repeat("p", 1000), Status: 401, TraceID: "t0",
		RequestBody: strings.Repeat("x", 3000) + "4242424242424242", ResponseBody: `{"code":"API_ERROR"}`}
	if err := st.RecordAPIRequest(ctx, anon); err != nil {
		t.Fatal(err)
	}
	if got, err := st.APIRequestByID(ctx, anon.ID); err != nil || len(got.RequestBody) > AnonymousValueMax || len(got.Path) > AnonymousValueMax ||
		!strings.Contains(got.RequestBody, "cut, 3017 bytes") {
		t.Errorf("anonymous call kept as %d-byte body %q, %d-byte path (%v); want each at most %d, marked as cut", len(got.RequestBody), got.RequestBody, len(got.Path), err, AnonymousValueMax)
	}
	// The log trims itself every hundredth call to its newest APIRequestsKept.
	if _, err := st.w.ExecContext(ctx, `INSERT INTO api_requests(id, at, method, path, status, duration_us, trace_id)
		VALUES (?, 1, 'GET', '/api/y', 200, 1, 't2')`, 2*APIRequestsKept-1); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordAPIRequest(ctx, &APIRequest{Method: "GET", Path: "/api/z", Status: 200, TraceID: "t3"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.APIRequestByID(ctx, r.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the oldest call is kept beyond the bound: %v", err)
	}
	left, _ := st.APIRequests(ctx, APIRequestFilter{})
	if len(left) != 2 {
		t.Errorf("log has %d calls, want 2", len(left))
	}
}
