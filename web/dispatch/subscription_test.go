package dispatch

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"cardops/store"
	"cardops/web/webhook"
)

// TestSubscriptionRedirectsDeliveries: when the API's webhook subscription
// names a URL, the next delivery goes there, with its key as X-Webhook-Key
// and no signature, and the attempt records that target; without one,
// Target is used.
func TestSubscriptionRedirectsDeliveries(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	var mu sync.Mutex
	var keys, signatures []string
	team := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get(webhook.HeaderWebhookKey))
		signatures = append(signatures, r.Header.Get(webhook.HeaderWebhookSignature)+r.Header.Get(webhook.HeaderWebhookID))
		mu.Unlock()
	}))
	t.Cleanup(team.Close)
	rc := newReceiver(t, st, nil)
	var sub atomic.Pointer[[2]string]
	d, _ := start(t, Config{Store: st, Target: rc.srv.URL, Subscription: func() (string, string) {
		if p := sub.Load(); p != nil {
			return p[0], p[1]
		}
		return "", ""
	}})
	m := enqueue(t, st, "op-default", store.ModeNormal)
	d.Wake()
	_, atts := waitRow(t, st, m.ID, "delivered", delivered)
	if atts[0].Target != rc.srv.URL || len(rc.deliveries()) != 1 {
		t.Fatalf("without a subscription: attempt to %q, want %q", atts[0].Target, rc.srv.URL)
	}
	sub.Store(&[2]string{team.URL + "/hooks", "team-key"})
	if got := d.Target(); got != team.URL+"/hooks" {
		t.Errorf("Target() = %q, want the subscription's", got)
	}
	m = enqueue(t, st, "op-team", store.ModeNormal)
	d.Wake()
	_, atts = waitRow(t, st, m.ID, "delivered", delivered)
	if atts[0].Target != team.URL+"/hooks" {
		t.Errorf("attempt target = %q, want the subscription's", atts[0].Target)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(keys) != 1 || keys[0] != "team-key" {
		t.Errorf("the team's receiver got keys %q, want [team-key]", keys)
	}
	// The provider's scheme only, whatever the console's: a key beside a
	// signature is never sent.
	if len(signatures) != 1 || signatures[0] != "" {
		t.Errorf("the team's receiver got Standard Webhooks headers %q beside its key", signatures)
	}
	if len(rc.deliveries()) != 1 {
		t.Errorf("the default receiver got %d deliveries, want 1", len(rc.deliveries()))
	}
}
