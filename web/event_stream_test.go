package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cardops/store"
	"cardops/views"
	"cardops/web/hub"
)

// sseMessage is one parsed Server-Sent Events message.
type sseMessage struct {
	ID    int64
	Event string
	Data  string
}

// sseClient reads an event stream into a channel until the stream ends.
type sseClient struct {
	msgs   chan sseMessage
	done   chan struct{} // closed when the stream has ended
	cancel context.CancelFunc
	status int
}

// openStream connects to the live tail at url (path and query) with the
// session cookie and the Last-Event-ID, if not empty.
func openStream(t *testing.T, base, url string, cookie *http.Cookie, lastID string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+url, nil)
	req.AddCookie(cookie)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("open stream: %v", err)
	}
	c := &sseClient{msgs: make(chan sseMessage, 10000), done: make(chan struct{}), cancel: cancel, status: resp.StatusCode}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("stream: status %d, content type %q; want 200 text/event-stream", resp.StatusCode, ct)
	}
	go func() {
		defer close(c.done)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var m sseMessage
		var data []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if m.Event != "" {
					m.Data = strings.Join(data, "\n")
					c.msgs <- m
				}
				m, data = sseMessage{}, nil
			case strings.HasPrefix(line, "id: "):
				m.ID, _ = strconv.ParseInt(line[4:], 10, 64)
			case strings.HasPrefix(line, "event: "):
				m.Event = line[7:]
			case strings.HasPrefix(line, "data: "):
				data = append(data, line[6:])
			}
		}
	}()
	t.Cleanup(cancel)
	return c
}

// next waits for the next message.
func (c *sseClient) next(t *testing.T) sseMessage {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-c.done:
		// The stream may have ended right after its last messages.
		select {
		case m := <-c.msgs:
			return m
		default:
		}
		t.Fatalf("stream ended, want a message")
	case <-time.After(5 * time.Second):
		t.Fatalf("no message within 5s")
	}
	return sseMessage{}
}

// none checks that no message arrives within d.
func (c *sseClient) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case m := <-c.msgs:
		t.Fatalf("got message %d (%s), want none", m.ID, m.Data)
	case <-time.After(d):
	}
}

func startHTTP(t *testing.T, e *testEnv) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(e.server)
	t.Cleanup(func() {
		e.server.Close()
		ts.Close()
	})
	return ts
}

func deliverOK(t *testing.T, e *testEnv, body string) {
	t.Helper()
	if rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now())); rec.Code != http.StatusOK {
		t.Fatalf("deliver: status %d, %s", rec.Code, rec.Body.String())
	}
}

func TestEventStreamLiveAndFiltered(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	cookie := e.login("viewer")
	deliverOK(t, e, notification("before"))

	all := openStream(t, ts.URL, "/events/stream", cookie, "")
	wallets := openStream(t, ts.URL, "/events/stream?operation=VIRTUAL_WALLETS", cookie, "")
	time.Sleep(50 * time.Millisecond) // let both subscribe; a stream starts from now
	deliverOK(t, e, notification("live-1"))
	deliverOK(t, e, `{"operation":"VIRTUAL_WALLETS","sub_operation":"DEPOSIT","operation_id":"dep-1","status":"SUCCESS","data":{"wallet_id":"w1"}}`)

	m := all.next(t)
	if m.Event != views.LiveRowEvent || m.ID != 2 || !strings.Contains(m.Data, `data-operation-id="live-1"`) || !strings.Contains(m.Data, `class="new"`) {
		t.Errorf("first live message = %+v, want event 2 (live-1) as a new row", m)
	}
	if m := all.next(t); m.ID != 3 {
		t.Errorf("second live message id = %d, want 3", m.ID)
	}
	if m := wallets.next(t); m.ID != 3 || !strings.Contains(m.Data, "dep-1") {
		t.Errorf("filtered stream got %+v, want only event 3 (dep-1)", m)
	}
	wallets.none(t, 200*time.Millisecond)
	all.none(t, 100*time.Millisecond) // "before" is not re-sent
}

// TestEventStreamResumesWithoutGap disconnects a stream, stores events while
// it is away, and reconnects with Last-Event-ID: exactly the missed events
// arrive, in order, then live ones.
func TestEventStreamResumesWithoutGap(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	cookie := e.login("viewer")
	first := openStream(t, ts.URL, "/events/stream?after=0", cookie, "")
	for i := 1; i <= 3; i++ {
		deliverOK(t, e, notification(fmt.Sprintf("op-%d", i)))
	}
	var lastSeen int64
	for range 3 {
		lastSeen = first.next(t).ID
	}
	first.cancel()
	<-first.done
	for i := 4; i <= 8; i++ {
		deliverOK(t, e, notification(fmt.Sprintf("op-%d", i)))
	}
	again := openStream(t, ts.URL, "/events/stream?after=0", cookie, strconv.FormatInt(lastSeen, 10))
	for want := lastSeen + 1; want <= 8; want++ {
		if m := again.next(t); m.ID != want {
			t.Fatalf("after reconnect got event %d, want %d", m.ID, want)
		}
	}
	deliverOK(t, e, notification("op-9"))
	if m := again.next(t); m.ID != 9 {
		t.Fatalf("live after catch-up: got %d, want 9", m.ID)
	}
	again.none(t, 100*time.Millisecond)
}

// TestEventStreamSlowSubscriberResyncs gives the stream a one-message buffer
// and a burst of concurrent deliveries: whatever the hub drops is caught up
// from the database, so every event arrives once, in order.
func TestEventStreamSlowSubscriberResyncs(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	e.server.events = hub.New[*liveEvent](1)
	ts := startHTTP(t, e)
	cookie := e.login("viewer")
	c := openStream(t, ts.URL, "/events/stream?after=0", cookie, "")
	const n = 300
	var wg sync.WaitGroup
	for s := range 8 {
		wg.Go(func() {
			for i := s; i < n; i += 8 {
				deliverOK(t, e, notification(fmt.Sprintf("burst-%d", i)))
			}
		})
	}
	wg.Wait()
	for want := int64(1); want <= n; want++ {
		if m := c.next(t); m.ID != want {
			t.Fatalf("got event %d, want %d (gap or duplicate)", m.ID, want)
		}
	}
	c.none(t, 100*time.Millisecond)
}

// TestEventStreamPausesWhenPageIsFull: once a page has been sent as many
// rows as it may hold, live or caught up, the stream sends the live control
// paused (with a Resume keeping the filter) and ends; rows the filter hides
// do not count.
func TestEventStreamPausesWhenPageIsFull(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.LiveRows = 3 })
	ts := startHTTP(t, e)
	cookie := e.login("viewer")
	wallet := func(id string) string {
		return `{"operation":"VIRTUAL_WALLETS","sub_operation":"DEPOSIT","operation_id":"` + id + `","status":"SUCCESS","data":{"wallet_id":"w1"}}`
	}
	expectFull := func(t *testing.T, c *sseClient) {
		t.Helper()
		m := c.next(t)
		if m.Event != views.LiveFullEvent {
			t.Fatalf("got %s message %d, want %s", m.Event, m.ID, views.LiveFullEvent)
		}
		for _, want := range []string{`id="live-control"`, `data-testid="live-state">Paused<`, "3 new events were added live",
			`hx-get="/events?operation=CARDS"`} {
			if !strings.Contains(m.Data, want) {
				t.Errorf("paused control lacks %q:\n%s", want, m.Data)
			}
		}
		if strings.Contains(m.Data, "sse-connect") {
			t.Errorf("paused control opens a stream again:\n%s", m.Data)
		}
		select {
		case <-c.done:
			if len(c.msgs) > 0 {
				m := <-c.msgs
				t.Fatalf("got %s message %d after the page was full, want the stream ended", m.Event, m.ID)
			}
		case m := <-c.msgs:
			t.Fatalf("got %s message %d after the page was full, want the stream ended", m.Event, m.ID)
		case <-time.After(5 * time.Second):
			t.Fatal("stream still open 5s after the page was full")
		}
	}

	t.Run("live", func(t *testing.T) {
		c := openStream(t, ts.URL, "/events/stream?operation=CARDS", cookie, "")
		time.Sleep(50 * time.Millisecond) // subscribed; a stream starts from now
		deliverOK(t, e, notification("full-1"))
		deliverOK(t, e, wallet("full-hidden")) // filtered out: does not count
		deliverOK(t, e, notification("full-2"))
		deliverOK(t, e, notification("full-3"))
		deliverOK(t, e, notification("full-4"))
		for _, want := range []string{"full-1", "full-2", "full-3"} {
			if m := c.next(t); m.Event != views.LiveRowEvent || !strings.Contains(m.Data, `data-operation-id="`+want+`"`) {
				t.Fatalf("got %s message %d, want the row of %s", m.Event, m.ID, want)
			}
		}
		expectFull(t, c)
	})
	t.Run("catching up", func(t *testing.T) {
		// Five card events are stored by now; a page that saw none of them
		// is sent three and the paused control.
		c := openStream(t, ts.URL, "/events/stream?operation=CARDS&after=0", cookie, "")
		for range 3 {
			if m := c.next(t); m.Event != views.LiveRowEvent {
				t.Fatalf("got %s message %d, want a row", m.Event, m.ID)
			}
		}
		expectFull(t, c)
	})
}

func TestEventStreamEndsOnServerClose(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	c := openStream(t, ts.URL, "/events/stream", e.login("viewer"), "")
	time.Sleep(50 * time.Millisecond)
	e.server.Close()
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		t.Fatal("stream still open 5s after Server.Close, want it ended")
	}
	// The receiver keeps working after the streams are closed.
	deliverOK(t, e, notification("after-close"))
}

func TestEventStreamEndsWhenClientLeaves(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	c := openStream(t, ts.URL, "/events/stream", e.login("viewer"), "")
	deadline := time.Now().Add(5 * time.Second)
	for e.server.events.Len() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("stream never subscribed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.cancel()
	for e.server.events.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("subscribers = %d after the client left, want 0", e.server.events.Len())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sseLines splits a stream's bytes into lines as a browser does: at CR LF,
// at a bare CR and at a bare LF.
func sseLines(b []byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '\r':
			out = append(out, string(b[start:i]))
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			start = i + 1
		case '\n':
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	return append(out, string(b[start:]))
}

// checkSSEFields fails when a line of frame is a field other than data,
// comments and the id and event wanted.
func checkSSEFields(t *testing.T, frame []byte, id, event string) {
	t.Helper()
	for _, line := range sseLines(frame) {
		switch {
		case line == "", strings.HasPrefix(line, "data:"), strings.HasPrefix(line, ":"),
			line == "retry: 2000", line == "id: "+id, line == "event: "+event:
		default:
			t.Errorf("frame has the line %q, want only data lines, id %q and event %q:\n%q", line, id, event, frame)
		}
	}
}

// TestSSEFrameKeepsStoredLineBreaksInData: whatever line break a stored
// value holds (CR, LF, CR LF), it cannot end the data line and start an
// event, id or retry field of its own.
func TestSSEFrameKeepsStoredLineBreaksInData(t *testing.T) {
	for _, br := range []struct{ name, s string }{{"bare CR", "\r"}, {"bare LF", "\n"}, {"CR LF", "\r\n"}, {"LF CR", "\n\r"}} {
		t.Run(br.name, func(t *testing.T) {
			inject := "x" + br.s + "event: " + views.LiveFullEvent + br.s + "id: 999999" + br.s + "retry: 1" + br.s + br.s + "data: y"
			e := store.Event{ID: 7, Operation: "CARDS", SubOperation: inject, OperationID: inject, Status: inject,
				StatusRaw: inject, CardID: inject, Verification: inject, ReceivedAt: time.UnixMilli(1)}
			checkSSEFields(t, sseFrame(e, nil), "7", views.LiveRowEvent)
			var b bytes.Buffer
			writeSSE(&b, "1"+br.s+"retry: 1", "ev"+br.s+"id: 2", inject)
			checkSSEFields(t, b.Bytes(), "1retry: 1", "evid: 2")
		})
	}
}

// TestEventStreamStoredCRStaysData: a notification whose fields hold bare
// CRs, stored by the receiver, reaches an open event log as one row message
// and nothing else.
func TestEventStreamStoredCRStaysData(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	cookie := e.login("viewer")
	inject := `x\revent: live-full\rid: 999999\rretry: 1\r\rdata: y`
	deliverOK(t, e, `{"operation":"CARDS","sub_operation":"`+inject+`","operation_id":"`+inject+`","status":"PENDING","data":{"card_id":"`+inject+`"}}`)

	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/events/stream?after=0", nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Read up to the end of the first message after the stream's preamble.
	var got []byte
	buf := make([]byte, 4096)
	for bytes.Count(got, []byte("\n\n")) < 2 {
		n, err := resp.Body.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("read stream: %v (read %q)", err, got)
		}
	}
	if !bytes.Contains(got, []byte("event: "+views.LiveRowEvent+"\n")) {
		t.Fatalf("stream sent no row:\n%q", got)
	}
	checkSSEFields(t, got, "1", views.LiveRowEvent)
}

// TestEventStreamEndsWhenSessionEnds: a stream opened before sign-out (or
// before the session went idle) ends at its next keep-alive, telling the
// page why; a live session's stream goes on.
func TestEventStreamEndsWhenSessionEnds(t *testing.T) {
	expectEnded := func(t *testing.T, c *sseClient) {
		t.Helper()
		m := c.next(t)
		if m.Event != views.LiveFullEvent || !strings.Contains(m.Data, `data-testid="live-ended"`) || strings.Contains(m.Data, "sse-connect") {
			t.Fatalf("got %s message %q, want the paused control saying the session ended", m.Event, m.Data)
		}
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			t.Fatal("stream still open 5s after its session ended")
		}
	}
	t.Run("sign-out", func(t *testing.T) {
		e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.StreamKeepAlive = 20 * time.Millisecond })
		ts := startHTTP(t, e)
		cookie, other := e.login("viewer"), e.login("viewer")
		c := openStream(t, ts.URL, "/events/stream?operation=CARDS", cookie, "")
		stays := openStream(t, ts.URL, "/events/stream", other, "")
		req := httptest.NewRequest(http.MethodPost, "/logout", nil)
		req.AddCookie(cookie)
		if rec := e.do(req); rec.Code != http.StatusSeeOther {
			t.Fatalf("logout: status = %d, want %d", rec.Code, http.StatusSeeOther)
		}
		expectEnded(t, c)
		deliverOK(t, e, notification("after-sign-out"))
		if m := stays.next(t); m.Event != views.LiveRowEvent {
			t.Errorf("the other session's stream got %s, want the new row", m.Event)
		}
	})
	t.Run("idle expiry", func(t *testing.T) {
		e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.StreamKeepAlive = 20 * time.Millisecond })
		ts := startHTTP(t, e)
		// The clock is set before any stream reads it; only its offset moves.
		var idle atomic.Int64
		e.store.SetClock(func() time.Time { return time.Now().Add(time.Duration(idle.Load())) })
		c := openStream(t, ts.URL, "/events/stream", e.login("viewer"), "")
		idle.Store(int64(store.IdleTimeout + time.Minute))
		expectEnded(t, c)
	})
}
