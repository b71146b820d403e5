package main

import (
	"context"
	"io"
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
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, stream.Body)
		ended <- err
	}()

	start := time.Now()
	c.stop(t)
	// A shutdown held up by the stream waits out its 10 s grace and leaves
	// the stream open; the bound below is that grace, not a speed asked of
	// a loaded machine (5 s was, for no reason).
	if d := time.Since(start); d > 9*time.Second {
		t.Errorf("shutdown took %v with a stream open, want it not to wait for the stream", d)
	}
	// The console ended the stream itself, cleanly, before the server shut
	// down; a stream left open would never end here.
	select {
	case err := <-ended:
		if err != nil {
			t.Errorf("the stream ended with %v, want a clean end", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("the stream was still open 15 s after shutdown")
	}
}
