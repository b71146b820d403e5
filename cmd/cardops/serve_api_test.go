package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

// TestServeAPIWebhookSubscription starts the real command, subscribes a
// team's receiver through the provider API with a level-3 key, then
// simulates an authorization through the API: the notification reaches the
// team's receiver with the team's key.
func TestServeAPIWebhookSubscription(t *testing.T) {
	db := filepath.Join(t.TempDir(), "api.db")
	ctx := context.Background()
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	_, secret, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: "team", Level: store.LevelAdmin, Actor: store.Actor{Username: "cli"}})
	if err != nil {
		t.Fatal(err)
	}
	cardID := storetest.AddCard(t, st, storetest.Card{Holder: "Team Card", Balance: 100_00})
	st.Close()

	got := make(chan string, 4)
	team := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Webhook-Key")
	}))
	defer team.Close()

	c := startServe(t, []string{"--db", db}, nil)
	base := c.Base
	call := func(path, body string, want int) {
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		req.Header.Set("x-api-key", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("%s: status %d, want %d", path, resp.StatusCode, want)
		}
	}
	call("/api/management/companies/webhook/subscribe", `{"url":"`+team.URL+`/hooks","webhook_key":"team-key"}`, 200)
	call("/api/cards/webhook/simulate/authorize", `{"card_id":"`+cardID+`","bill_amount":1}`, 201)
	select {
	case k := <-got:
		if k != "team-key" {
			t.Errorf("the team's receiver got X-Webhook-Key %q, want team-key", k)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the notification never reached the subscribed receiver")
	}
	c.stop(t)
}
