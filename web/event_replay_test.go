package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"cardops/store"
	"cardops/web/dispatch"
)

// TestReplayIsAnotherAttemptOnTheSameEvent replays a stored event through the
// real path: the outbox, the dispatcher over HTTP, and this console's own
// receiver. The receiver counts it as a second delivery attempt on the same
// event, not as a new event.
func TestReplayIsAnotherAttemptOnTheSameEvent(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	body := `{"operation":"CARDS","sub_operation":"REFUND","operation_id":"op-replay-1","status":"SUCCESS","data":{"card_id":"c-1"}}`
	if rec := e.deliver(body, standardHeaders(t, testWebhookSecret, "msg_replay_e2e", time.Now(), body)); rec.Code != http.StatusOK {
		t.Fatalf("first delivery: status = %d, %s", rec.Code, rec.Body.String())
	}
	events, err := e.store.Events(context.Background(), store.EventFilter{Limit: 10})
	if err != nil || len(events) != 1 {
		t.Fatalf("events = %v, %v; want one", events, err)
	}
	id := events[0].ID

	d := dispatch.New(dispatch.Config{Store: e.store, Target: ts.URL + "/webhooks", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	e.server.wakeOutbox = d.Wake

	req := formRequest("POST", "/events/"+strconv.FormatInt(id, 10)+"/replay", url.Values{})
	req.AddCookie(e.login("operator"))
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Fatalf("replay: status = %d, %s", rec.Code, rec.Body.String())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		ev, err := e.store.Event(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Attempts == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("event attempts = %d after the replay, want 2", ev.Attempts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, err := e.store.LatestEventID(context.Background()); err != nil || n != id {
		t.Errorf("latest event id = %d, %v; want still %d (no new event)", n, err, id)
	}
}
