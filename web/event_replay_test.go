package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
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

// replayEnv is a console whose dispatcher delivers over HTTP to the
// console's own receiver, as `cardops serve` wires them.
func replayEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	d := dispatch.New(dispatch.Config{Store: e.store, Target: ts.URL + "/webhooks", Poll: 50 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	e.server.wakeOutbox = d.Wake
	e.server.simTarget = d.Target()
	return e
}

// waitEvent waits until the only stored event has want attempts, and
// returns it.
func waitEvent(t *testing.T, e *testEnv, want int) store.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		evs, err := e.store.Events(context.Background(), store.EventFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) > 1 {
			t.Fatalf("stored events = %d (%+v), want one", len(evs), evs)
		}
		if len(evs) == 1 && evs[0].Attempts >= want {
			if evs[0].Attempts != want {
				t.Fatalf("event attempts = %d, want %d", evs[0].Attempts, want)
			}
			ev, err := e.store.Event(context.Background(), evs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return ev
		}
		if time.Now().After(deadline) {
			t.Fatalf("no event with %d attempts in time: %+v", want, evs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var progressURL = regexp.MustCompile(`hx-get="(/events/\d+/replays/\d+)"`)

// pressReplay presses the event page's Replay button as htmx does, then
// follows the progress fragment as the page does until it says the replay
// was delivered, and returns that last fragment.
func pressReplay(t *testing.T, e *testEnv, cookie *http.Cookie, id int64) string {
	t.Helper()
	req := formRequest("POST", "/events/"+strconv.FormatInt(id, 10)+"/replay", url.Values{})
	req.Header.Set("HX-Request", "true")
	req.AddCookie(cookie)
	rec := e.do(req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `data-testid="replay-result"`) {
		t.Fatalf("replay: status = %d, want 200 with the replay's progress; body %s", rec.Code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(body, `data-state="delivered"`) {
		m := progressURL.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the progress neither says delivered nor polls: %s", body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay not delivered in time: %s", body)
		}
		time.Sleep(20 * time.Millisecond)
		req := httptest.NewRequest("GET", m[1], nil)
		req.Header.Set("HX-Request", "true")
		req.AddCookie(cookie)
		rec := e.do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status = %d, want 200; %s", m[1], rec.Code, rec.Body.String())
		}
		body = rec.Body.String()
	}
	if strings.Contains(body, "hx-trigger") {
		t.Errorf("a delivered replay's progress still polls: %s", body)
	}
	return body
}

// replayTwice replays the one stored event twice from its page and checks
// that each replay is one more attempt on it, shown at once, and that no
// event is added.
func replayTwice(t *testing.T, e *testEnv, wantVerification string) {
	t.Helper()
	ev := waitEvent(t, e, 1)
	cookie := e.login("operator")
	for _, want := range []int{2, 3} {
		body := pressReplay(t, e, cookie, ev.ID)
		for _, s := range []string{
			"The event now has " + strconv.Itoa(want) + " attempts",
			`id="event-delivery" hx-swap-oob="true"`, `data-testid="attempts">` + strconv.Itoa(want) + `<`,
			`id="event-attempts" data-testid="event-attempts" hx-swap-oob="true"`,
		} {
			if !strings.Contains(body, s) {
				t.Errorf("replay %d: progress lacks %q; body %s", want-1, s, body)
			}
		}
		got := waitEvent(t, e, want)
		if len(got.Deliveries) != want || got.ID != ev.ID {
			t.Fatalf("event %d after replay %d = %+v, want %d deliveries", got.ID, want-1, got, want)
		}
		last := got.Deliveries[want-1]
		if !last.Duplicate || last.Verification != wantVerification || last.Headers[dispatch.HeaderReplayOf] == nil {
			t.Errorf("replayed delivery = %+v, want a retry verified %q, marked as a replay", last, wantVerification)
		}
		if wantVerification == "standard-webhooks: ok" && last.Headers["X-Webhook-Key"] != nil {
			t.Errorf("the signed replay carried the provider's key too: %v", last.Headers)
		}
	}
	if n, err := e.store.LatestEventID(context.Background()); err != nil || n != ev.ID {
		t.Errorf("latest event id = %d, %v; want still %d (no new event)", n, err, ev.ID)
	}
	sc := scenario{method: "GET", url: fmt.Sprintf("/events/%d", ev.ID), as: store.LevelReadOnly, wantStatus: 200,
		wantContains: []string{`data-testid="attempts">3<`, `<td class="num">3</td>`}}
	sc.run(t, e)
}

// TestReplayOfASimulatedEvent presses Authorize on the Simulate page, lets
// the dispatcher deliver it signed to this console's receiver, then replays
// the stored event twice from its page: attempts 2 then 3 on the same event.
func TestReplayOfASimulatedEvent(t *testing.T) {
	e := replayEnv(t)
	card := storetest.AddCard(t, e.store, storetest.Card{Holder: "Rita Replay", Balance: 100_00})
	req := formRequest("POST", "/simulate/authorize", url.Values{"card": {card}, "amount": {"12.34"}})
	req.AddCookie(e.login("operator"))
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Fatalf("authorize: status = %d, want 303; %s", rec.Code, rec.Body.String())
	}
	replayTwice(t, e, "standard-webhooks: ok")
}

// TestReplayOfAKeyOnlyEvent replays twice an event posted from outside with
// the provider's key only (X-Webhook-Key and X-Request-Timestamp, no
// webhook-id): each replay is one more attempt on it, not a new event.
func TestReplayOfAKeyOnlyEvent(t *testing.T) {
	e := replayEnv(t)
	body := `{"operation":"CARDS","sub_operation":"REFUND","operation_id":"ext-key-1","status":"SUCCESS","data":{"card_id":"c-9"}}`
	if rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now())); rec.Code != http.StatusOK {
		t.Fatalf("first delivery: status = %d, %s", rec.Code, rec.Body.String())
	}
	replayTwice(t, e, "provider-key: ok")
}

// TestReplayRefusals: a replay that cannot be made is said in words where
// the page shows the replay's result (htmx swaps only 2xx answers), and
// as a readable page without htmx.
func TestReplayRefusals(t *testing.T) {
	htmx := map[string]string{"HX-Request": "true"}
	stored := func(t *testing.T, e *testEnv) {
		if rec := e.deliver(notification("op-r"), providerHeaders(testWebhookKey, time.Now())); rec.Code != http.StatusOK {
			t.Fatalf("deliver: %d %s", rec.Code, rec.Body.String())
		}
	}
	audited := func(result string) func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
			rows, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "event.replay"})
			if len(rows) != 1 || rows[0].Result != result {
				t.Errorf("replay audit = %+v, want one %s row", rows, result)
			}
		}
	}
	scenarios := []scenario{
		{name: "unknown event through htmx: the message in place, 200", method: "POST", url: "/events/999/replay", form: url.Values{},
			wantAudit: []string{"event.replay refused"},
			as:        store.LevelOperational, headers: htmx, wantStatus: http.StatusOK,
			wantContains: []string{`role="alert"`, "There is no event 999 to replay; nothing was sent."},
			after:        audited(store.ResultRefused)},
		{name: "unknown event without htmx: a readable 404 page", method: "POST", url: "/events/999/replay", form: url.Values{},
			wantAudit: []string{"event.replay refused"},
			as:        store.LevelOperational, wantStatus: http.StatusNotFound,
			wantContains: []string{"There is no event 999 to replay"}, after: audited(store.ResultRefused)},
		{name: "viewer may not replay", method: "POST", url: "/events/1/replay", form: url.Values{}, as: store.LevelReadOnly,
			wantAudit: []string{"access.denied refused"},
			before:    stored, wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed"}},
		{name: "the store refuses the outbox row: said in words, 200 for htmx, audited", method: "POST", url: "/events/1/replay",
			wantAudit: []string{"event.replay error"},
			form:      url.Values{}, as: store.LevelOperational, headers: htmx,
			before: func(t *testing.T, e *testEnv) {
				stored(t, e)
				if _, err := e.store.Writer().Exec(`CREATE TRIGGER outbox_fails BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`); err != nil {
					t.Fatal(err)
				}
			},
			wantStatus:      http.StatusOK,
			wantContains:    []string{`role="alert"`, "The replay could not be queued", "nothing was sent", "trace id"},
			wantNotContains: []string{"disk on fire"},
			after:           audited(store.ResultError)},
		{name: "progress of a replay that does not exist", method: "GET", url: "/events/1/replays/77", as: store.LevelOperational,
			before: stored, headers: htmx, wantStatus: http.StatusOK,
			wantContains: []string{`role="alert"`, "There is no replay 77 of event 1."}, wantNotContains: []string{"hx-trigger"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			sc.run(t, newTestEnv(t, withWebhookCreds))
		})
	}
}

// TestReplayProgressSaysWhyItFailed: a replay the receiver refuses shows the
// answer on the page and stops polling once the next attempt is far off.
func TestReplayProgressSaysWhyItFailed(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	m, err := e.store.EnqueueReplay(context.Background(), "1", []byte(notification("op-f")), "", store.SimActor{Name: "operator"})
	if err != nil {
		t.Fatal(err)
	}
	next := time.Now().Add(5 * time.Minute)
	err = e.store.RecordAttempts(context.Background(), []store.AttemptResult{{State: store.OutboxPending, NextAttemptAt: next.UnixMilli(),
		Attempt: store.OutboxAttempt{OutboxID: m.ID, Target: "http://receiver.test/webhooks", StartedAt: time.Now().UnixMilli(),
			HTTPStatus: 401, ResponseHead: `{"code":"SIGNATURE_REQUIRED"}`}}})
	if err != nil {
		t.Fatal(err)
	}
	sc := scenario{method: "GET", url: fmt.Sprintf("/events/1/replays/%d", m.ID), as: store.LevelOperational,
		headers: map[string]string{"HX-Request": "true"}, wantStatus: http.StatusOK,
		wantContains: []string{`data-state="failing"`, `role="alert"`, "401 Unauthorized", "SIGNATURE_REQUIRED",
			"The dispatcher tries again at", "Check again"},
		wantNotContains: []string{"hx-trigger"}}
	sc.run(t, e)
}
