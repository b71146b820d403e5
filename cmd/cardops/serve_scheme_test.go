package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

func TestServeRefusesBadWebhookScheme(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{"unknown scheme", []string{"--webhook-scheme", "sideways"}, nil, `webhook scheme "sideways"`},
		{"provider scheme to a receiver that requires signatures", nil,
			map[string]string{"CARDOPS_WEBHOOK_SCHEME": "provider", "CARDOPS_WEBHOOK_REQUIRE_SIGNATURE": "true"}, "would refuse every delivery"},
		{"require signature not a boolean", nil, map[string]string{"CARDOPS_WEBHOOK_REQUIRE_SIGNATURE": "maybe"}, "CARDOPS_WEBHOOK_REQUIRE_SIGNATURE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "t.db")}, tc.args...)
			// A serve that wrongly starts stops with the context (and no error).
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := run(ctx, args, env(tc.env), nil, &syncBuffer{}, &syncBuffer{})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("run = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestServeWebhookSchemeAndRequiredSignature starts serve with the
// dispatcher on the provider's scheme towards an outside receiver and its
// own receiver requiring signatures: the outside receiver gets the key and
// no signature, and the console refuses a delivery with the key alone.
func TestServeWebhookSchemeAndRequiredSignature(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	st, err := openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"operation":"CARDS","sub_operation":"REFUND","operation_id":"scheme-1","status":"SUCCESS"}`
	if _, err := st.EnqueueEdited(context.Background(), []byte(body), store.ModeNormal, store.SimActor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	sec, err := st.WebhookSecrets(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	got := make(chan http.Header, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case got <- r.Header.Clone():
		default:
		}
	}))
	defer recv.Close()
	c := startServe(t, []string{"--db", db, "--webhook-scheme", "provider", "--webhook-target", recv.URL},
		map[string]string{"CARDOPS_WEBHOOK_REQUIRE_SIGNATURE": "1"})
	select {
	case h := <-got:
		if h.Get("X-Webhook-Key") != sec.Key || h.Get("X-Request-Timestamp") == "" || h.Get("Webhook-Signature") != "" || h.Get("Webhook-Id") != "" {
			t.Errorf("outside receiver got headers %v, want the provider's key and timestamp only", h)
		}
	case err := <-c.Done:
		t.Fatalf("serve ended early: %v; stderr %q", err, c.Err.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the pending row was not delivered")
	}

	base := c.Base
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks", strings.NewReader(body))
	req.Header.Set("X-Webhook-Key", sec.Key)
	req.Header.Set("X-Request-Timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(answer), "SIGNATURE_REQUIRED") {
		t.Errorf("key-only delivery: status %d, body %s; want 401 SIGNATURE_REQUIRED", resp.StatusCode, answer)
	}
	c.stop(t)
}
