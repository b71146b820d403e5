package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// TestServeWebhookCredentialsAndShutdown starts the real command with the
// receiver's key from the environment and its secret from a flag, checks
// that the key is the one accepted, and that shutdown is not held up by an
// open live event stream.
func TestServeWebhookCredentialsAndShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "wh.db")
	st, err := openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(context.Background(), store.NewUser{Username: "viewer", Level: store.LevelReadOnly, Password: "viewer password 1"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	const key, secret = "whk_from_environment", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	c := startServe(t, []string{"--db", db, "--webhook-secret", secret}, map[string]string{"CARDOPS_WEBHOOK_KEY": key})
	base := c.Base

	post := func(k string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/webhooks",
			strings.NewReader(`{"operation":"CARDS","sub_operation":"DEPOSIT","operation_id":"env-1","status":"SUCCESS"}`))
		req.Header.Set("X-Webhook-Key", k)
		req.Header.Set("X-Request-Timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(key); got != http.StatusOK {
		t.Errorf("delivery with the environment's key: status %d, want 200", got)
	}
	if got := post("whk_other"); got != http.StatusUnauthorized {
		t.Errorf("delivery with another key: status %d, want 401", got)
	}

	// Open a live stream and keep it open across the shutdown.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(base+"/login", url.Values{"username": {"viewer"}, "password": {"viewer password 1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodGet, base+"/events/stream", nil)
	for _, k := range resp.Cookies() {
		req.AddCookie(k)
	}
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != http.StatusOK {
		t.Fatalf("open stream: %v %v", stream, err)
	}
	defer stream.Body.Close()

	start := time.Now()
	c.stop(t)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("shutdown took %v with a stream open, want it ended at once", d)
	}
}
