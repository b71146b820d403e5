package dispatch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cardops/store"
	"cardops/web/webhook"
)

var qa = store.SimActor{Name: "operator", Level: store.LevelOperational}

// receiver is a test webhook receiver that checks deliveries as the
// embedded one does: Standard Webhooks signature or provider key, fresh
// timestamp, parseable envelope.
type receiver struct {
	t     *testing.T
	st    *store.Store
	srv   *httptest.Server
	mu    sync.Mutex
	got   []delivery
	reply func(n int) (status int, header http.Header, body string) // n counts verified deliveries from 1
}

type delivery struct {
	at     time.Time
	header http.Header
	body   string
	env    webhook.Envelope
	verify webhook.Verification
	status int
}

func newReceiver(t *testing.T, st *store.Store, reply func(n int) (int, http.Header, string)) *receiver {
	rc := &receiver{t: t, st: st, reply: reply}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sec, err := rc.st.WebhookSecrets(r.Context(), "", "")
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	d := delivery{at: time.Now(), header: r.Header.Clone(), body: string(body)}
	d.verify = webhook.Verify(r.Header, body, webhook.Credentials{Keys: sec.Keys(time.Now()), Secrets: sec.Secrets(time.Now())}, time.Now())
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if !d.verify.OK {
		d.status = 401
		rc.got = append(rc.got, d)
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"code":"UNAUTHORIZED","message":%q}`, d.verify.Reason)
		return
	}
	env, err := webhook.ParseEnvelope(body)
	if err != nil {
		d.status = 400
		rc.got = append(rc.got, d)
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"code":"VAL","message":%q}`, err.Error())
		return
	}
	d.env = env
	n := 1
	for _, g := range rc.got {
		if g.env.OperationID != "" {
			n++
		}
	}
	status, h, answer := 200, http.Header{}, `{"ok":true}`
	if rc.reply != nil {
		status, h, answer = rc.reply(n)
	}
	d.status = status
	rc.got = append(rc.got, d)
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	io.WriteString(w, answer)
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// start runs a dispatcher until the test ends (or stop is called).
func start(t *testing.T, cfg Config) (d *Dispatcher, stop func()) {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if cfg.Poll == 0 {
		cfg.Poll = 50 * time.Millisecond
	}
	// cfg.Timeout is left at its default (10 s): an attempt that a loaded
	// machine slows past a shorter bound would be recorded as failed, and
	// the tests count attempts. No test here waits on a receiver that hangs.
	d = New(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return d, stop
}

func enqueue(t *testing.T, st *store.Store, opID, mode string) store.OutboxMessage {
	t.Helper()
	body := fmt.Sprintf(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":%q,"status":"PENDING","data":{"card_id":"c-1"}}`, opID)
	m, err := st.EnqueueEdited(context.Background(), []byte(body), mode, qa)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// waitRow waits (up to 15 s) until the row satisfies ok, and returns it.
func waitRow(t *testing.T, st *store.Store, id int64, what string, ok func(store.OutboxMessage, []store.OutboxAttempt) bool) (store.OutboxMessage, []store.OutboxAttempt) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m, atts, err := st.OutboxMessage(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(m, atts) {
			return m, atts
		}
		if time.Now().After(deadline) {
			t.Fatalf("row %d never became %s: %+v, attempts %+v", id, what, m, atts)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func delivered(m store.OutboxMessage, _ []store.OutboxAttempt) bool {
	return m.State == store.OutboxDelivered
}

// TestDeliverSignedWithoutTheKey: by default a delivery is signed, and the
// shared key does not travel beside the signature.
func TestDeliverSignedWithoutTheKey(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	rc := newReceiver(t, st, nil)
	d, _ := start(t, Config{Store: st, Target: rc.srv.URL})
	m := enqueue(t, st, "op-1", store.ModeNormal)
	d.Wake()
	_, atts := waitRow(t, st, m.ID, "delivered", delivered)
	if len(atts) != 1 || atts[0].HTTPStatus != 200 || atts[0].ResponseHead != `{"ok":true}` || atts[0].Target != rc.srv.URL {
		t.Errorf("attempts = %+v, want one 200 with the answer's start", atts)
	}
	got := rc.deliveries()
	if len(got) != 1 {
		t.Fatalf("receiver got %d deliveries, want 1", len(got))
	}
	g := got[0]
	if g.verify.Scheme != webhook.SchemeStandardWebhooks || g.header.Get(webhook.HeaderWebhookID) != m.WebhookID ||
		g.body != string(m.Body) || g.env.OperationID != "op-1" || g.header.Get(HeaderOutboxID) != fmt.Sprint(m.ID) {
		t.Errorf("delivery = %+v", g)
	}
	for _, name := range []string{webhook.HeaderWebhookKey, webhook.HeaderRequestTimestamp} {
		if v := g.header.Get(name); v != "" {
			t.Errorf("signed delivery carries %s: %q, want it absent", name, v)
		}
	}
}

// TestDeliverWithProviderScheme: a dispatcher set to the provider's scheme
// sends the key and its timestamp, and no signature.
func TestDeliverWithProviderScheme(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	rc := newReceiver(t, st, nil)
	d, _ := start(t, Config{Store: st, Target: rc.srv.URL, Scheme: store.SchemeProvider})
	m := enqueue(t, st, "op-key", store.ModeNormal)
	d.Wake()
	waitRow(t, st, m.ID, "delivered", delivered)
	got := rc.deliveries()
	if len(got) != 1 || got[0].verify.Scheme != webhook.SchemeProviderKey || !got[0].verify.OK {
		t.Fatalf("deliveries = %+v, want one verified by the provider's key", got)
	}
	for _, name := range []string{webhook.HeaderWebhookID, webhook.HeaderWebhookTimestamp, webhook.HeaderWebhookSignature} {
		if v := got[0].header.Get(name); v != "" {
			t.Errorf("provider-scheme delivery carries %s: %q, want it absent", name, v)
		}
	}
}

func TestRetryUntilDelivered(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	rc := newReceiver(t, st, func(n int) (int, http.Header, string) {
		if n == 1 {
			return 500, nil, "database is on fire"
		}
		return 200, nil, "ok"
	})
	d, _ := start(t, Config{Store: st, Target: rc.srv.URL})
	m := enqueue(t, st, "op-500", store.ModeNormal)
	d.Wake()
	_, atts := waitRow(t, st, m.ID, "delivered", delivered)
	if len(atts) != 2 || atts[0].HTTPStatus != 500 || atts[0].ResponseHead != "database is on fire" || atts[1].HTTPStatus != 200 {
		t.Errorf("attempts = %+v, want 500 then 200", atts)
	}
	got := rc.deliveries()
	if len(got) != 2 || got[0].header.Get(webhook.HeaderWebhookID) != got[1].header.Get(webhook.HeaderWebhookID) {
		t.Errorf("the retry must carry the same webhook-id: %+v", got)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	rc := newReceiver(t, st, func(n int) (int, http.Header, string) {
		if n == 1 {
			return 503, http.Header{"Retry-After": {"2"}}, "busy"
		}
		return 204, nil, ""
	})
	d, _ := start(t, Config{Store: st, Target: rc.srv.URL})
	m := enqueue(t, st, "op-503", store.ModeNormal)
	d.Wake()
	_, atts := waitRow(t, st, m.ID, "delivered", delivered)
	if len(atts) != 2 || atts[0].RetryAfterMs != 2000 {
		t.Fatalf("attempts = %+v, want 503 with Retry-After 2 s, then 204", atts)
	}
	// Without Retry-After the second attempt would be immediate.
	if gap := atts[1].StartedAt - (atts[0].StartedAt + atts[0].DurationMs); gap < 2000 {
		t.Errorf("second attempt %d ms after the first answer, want at least the 2000 ms asked for", gap)
	}
}

func TestReceiverDownThenRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	st := openStore(t, path)
	// A port with nothing listening: the receiver is down.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String() + "/webhooks"
	ln.Close()
	d, stop := start(t, Config{Store: st, Target: down})
	m := enqueue(t, st, "op-down", store.ModeNormal)
	d.Wake()
	row, atts := waitRow(t, st, m.ID, "tried twice", func(m store.OutboxMessage, a []store.OutboxAttempt) bool { return len(a) >= 2 })
	if row.State != store.OutboxPending || atts[0].HTTPStatus != 0 || atts[0].Error == "" {
		t.Errorf("row = %+v, attempts %+v; want pending with connection errors", row, atts)
	}
	// Immediately, then 5 s: the third attempt waits.
	end := atts[1].StartedAt + atts[1].DurationMs
	if row.NextAttemptAt-end < 5000 {
		t.Errorf("next attempt %d ms after the second failure, want 5000", row.NextAttemptAt-end)
	}
	stop()
	st.Close()

	// The process restarts: the row is still there, and a dispatcher whose
	// clock has passed its retry time delivers it to the receiver now up.
	st2 := openStore(t, path)
	rc := newReceiver(t, st2, nil)
	start(t, Config{Store: st2, Target: rc.srv.URL, Now: func() time.Time { return time.Now().Add(10 * time.Second) }})
	_, atts = waitRow(t, st2, m.ID, "delivered", delivered)
	if len(atts) != 3 || atts[2].HTTPStatus != 200 || atts[0].Target != down {
		t.Errorf("attempts = %+v, want the two failures kept and a 200", atts)
	}
}

func TestBrokenDeliveriesAreRefusedOnce(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
	rc := newReceiver(t, st, nil)
	d, _ := start(t, Config{Store: st, Target: rc.srv.URL})
	for _, tc := range []struct {
		mode   string
		status int
		reason string
	}{
		{store.ModeBadKey, 401, "bad signature"},
		{store.ModeStaleTimestamp, 401, "stale timestamp"},
		{store.ModeMalformedJSON, 400, "not valid JSON"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			m := enqueue(t, st, "op-"+tc.mode, tc.mode)
			d.Wake()
			row, atts := waitRow(t, st, m.ID, "refused", func(m store.OutboxMessage, _ []store.OutboxAttempt) bool { return m.State != store.OutboxPending })
			if row.State != store.OutboxRefused || len(atts) != 1 || atts[0].HTTPStatus != tc.status {
				t.Errorf("row %+v attempts %+v, want refused once with %d", row, atts, tc.status)
			}
			if !strings.Contains(atts[0].ResponseHead, tc.reason) {
				t.Errorf("answer %q, want it to say %q", atts[0].ResponseHead, tc.reason)
			}
		})
	}
}

// TestReplayIsANewAttemptOfTheSameNotification: a replay goes out as the
// event came, whatever the dispatcher's own setting: a signed event under
// its own webhook-id, a key-only event with the key only.
func TestReplayIsANewAttemptOfTheSameNotification(t *testing.T) {
	for _, dispatcherScheme := range []string{store.SchemeStandard, store.SchemeProvider} {
		t.Run("dispatcher "+dispatcherScheme, func(t *testing.T) {
			st := openStore(t, filepath.Join(t.TempDir(), "d.db"))
			rc := newReceiver(t, st, nil)
			d, _ := start(t, Config{Store: st, Target: rc.srv.URL, Scheme: dispatcherScheme})
			orig := enqueue(t, st, "op-replay", store.ModeNormal)
			d.Wake()
			waitRow(t, st, orig.ID, "delivered", delivered)
			signed, err := st.EnqueueReplay(context.Background(), "ev-7", orig.Body, orig.WebhookID, qa)
			if err != nil {
				t.Fatal(err)
			}
			keyOnly, err := st.EnqueueReplay(context.Background(), "ev-8", orig.Body, "", qa)
			if err != nil {
				t.Fatal(err)
			}
			d.Wake()
			for _, rep := range []store.OutboxMessage{signed, keyOnly} {
				if _, atts := waitRow(t, st, rep.ID, "delivered", delivered); len(atts) != 1 {
					t.Errorf("replay attempts = %+v, want its own single attempt", atts)
				}
			}
			got := map[string]delivery{}
			for _, g := range rc.deliveries() {
				got[g.header.Get(HeaderReplayOf)] = g
			}
			if g := got["ev-7"]; g.verify.Scheme != webhook.SchemeStandardWebhooks || g.header.Get(webhook.HeaderWebhookID) != orig.WebhookID ||
				g.header.Get(webhook.HeaderWebhookKey) != "" || g.body != string(orig.Body) {
				t.Errorf("replay of a signed event = %+v, want it signed under webhook-id %s, without the key", g, orig.WebhookID)
			}
			if g := got["ev-8"]; g.verify.Scheme != webhook.SchemeProviderKey || !g.verify.OK || g.header.Get(webhook.HeaderWebhookSignature) != "" ||
				g.header.Get(webhook.HeaderWebhookID) != "" || g.env.OperationID != "op-replay" {
				t.Errorf("replay of a key-only event = %+v, want the key only, no webhook-id", g)
			}
		})
	}
}

func TestBackoffSchedule(t *testing.T) {
	want := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	for i, w := range want {
		if got := Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{{"", 0}, {"3", 3 * time.Second}, {"-1", 0}, {"soon", 0}, {"99999999", MaxBackoff},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second}} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
