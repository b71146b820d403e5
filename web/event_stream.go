package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"cardops/store"
	"cardops/views"
	"cardops/web/hub"
)

const (
	// liveBuffer is how many events a live subscriber may fall behind
	// before it is told to resync from the database.
	liveBuffer = 1024
	// defaultKeepAlive is how often a stream sends a comment, so proxies
	// and browsers keep it open, and checks that its session is still
	// live (Config.StreamKeepAlive).
	defaultKeepAlive = 20 * time.Second
	// streamWriteTimeout bounds one write to a stream; a browser that stops
	// reading is dropped rather than holding its handler forever.
	streamWriteTimeout = 10 * time.Second
	// streamCoalesce is how long a stream gathers events before writing
	// them; it bounds the latency it adds.
	streamCoalesce = 5 * time.Millisecond
	catchUpBatch   = 500
	// maxStreamWrite bounds what a stream gathers before writing, and so
	// the memory each open stream holds.
	maxStreamWrite = 32 << 10
	// defaultLiveRows is how many rows the live tail adds to one page before
	// it pauses itself (Config.LiveRows).
	defaultLiveRows = 500
)

// liveEvent is a newly stored event on its way to the live streams. Its SSE
// frame is rendered once, by the first stream that needs it, and shared.
type liveEvent struct {
	store.Event
	once  sync.Once
	frame []byte
}

// sseFrame returns e's frame; its card is looked up with s.
func (e *liveEvent) sseFrame(ctx context.Context, s *Server) []byte {
	e.once.Do(func() {
		// The frame is shared: a stream that goes away must not leave it
		// without its card.
		cards, err := s.eventCards(context.WithoutCancel(ctx), []store.Event{e.Event})
		if err != nil {
			s.log.Error("event stream: card of event", "event", e.ID, "err", err)
		}
		e.frame = sseFrame(e.Event, cards)
	})
	return e.frame
}

// sseFrame renders e as one Server-Sent Events message whose id is the
// event's row id, so a reconnecting browser's Last-Event-ID says where it
// stopped. cards name the cards rows show (nil: bare ids).
func sseFrame(e store.Event, cards views.CardLabels) []byte {
	var row bytes.Buffer
	if err := views.EventRow(e, cards, true).Render(context.Background(), &row); err != nil {
		// EventRow writes to a buffer and has no failing parts; an error
		// here is a bug, and the row is sent as an empty one.
		row.Reset()
	}
	var b bytes.Buffer
	writeSSE(&b, strconv.FormatInt(e.ID, 10), views.LiveRowEvent, row.String())
	return b.Bytes()
}

// writeSSE writes one Server-Sent Events message; id may be "". It is the
// one place messages are framed. A browser ends a line at CR LF, at a bare
// CR and at a bare LF, so every one of them in data starts a new data line:
// no stored value can end a data line and start a field of its own (event,
// id, retry), whatever it holds. id and event come from the server and lose
// any line break.
func writeSSE(b *bytes.Buffer, id, event, data string) {
	if id != "" {
		b.WriteString("id: ")
		b.WriteString(sseField(id))
		b.WriteByte('\n')
	}
	b.WriteString("event: ")
	b.WriteString(sseField(event))
	b.WriteString("\ndata: ")
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			b.WriteString("\ndata: ")
		case '\n':
			b.WriteString("\ndata: ")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteString("\n\n")
}

// sseField drops line breaks from a field's value.
func sseField(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.NewReplacer("\r", "", "\n", "").Replace(v)
}

// eventStream is the live tail: Server-Sent Events carrying a table row for
// each new event that matches the filters. It starts after the Last-Event-ID
// the browser sends when it reconnects, else after the after= parameter (the
// newest row of the page that opened it), else from now; whatever was
// stored since is sent from the database first, with no gap and no
// duplicate. A subscriber that falls behind catches up from the database.
// The stream ends when the browser goes away, the server closes, the page
// holds as many live rows as it may (Config.LiveRows), or the session that
// opened it has ended (checked when the store says a session ended, and at
// every keep-alive for one ended by another process):
// in the last two cases it sends the live control paused, saying why, which
// closes the page's stream.
func (s *Server) eventStream(w http.ResponseWriter, r *http.Request) {
	form, f := parseEventFilter(r.URL.Query())
	// The same cards as the page's listing; cards added later are not
	// picked up until the page is read again.
	if _, _, err := s.resolveCardFilter(r.Context(), &f); err != nil {
		s.log.Error("event stream: card filter", "trace_id", traceID(r), "err", err)
		s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The event stream could not start.")
		return
	}
	last, given, ok := streamStart(r)
	if !ok {
		s.badStreamStart(w, r)
		return
	}
	// Subscribe before reading the database: an event committed after the
	// read is then certainly in the subscription, and one committed before
	// it is skipped there by id.
	sub := s.events.Subscribe()
	defer sub.Close()
	if !given {
		latest, err := s.store.LatestEventID(r.Context())
		if err != nil {
			s.log.Error("event stream: latest id", "trace_id", traceID(r), "err", err)
			s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The event stream could not start.")
			return
		}
		last = latest
	}
	t := &eventTail{s: s, r: r, sub: sub, form: form, f: f, last: last, out: startSSE(w)}
	if given && !t.catchUp() {
		return
	}
	if t.out.flush() {
		t.run()
	}
}

// eventTail is one open event-log stream.
type eventTail struct {
	s    *Server
	r    *http.Request
	sub  *hub.Subscription[*liveEvent]
	form views.EventFilterForm
	f    store.EventFilter
	out  *sseWriter
	// last is the newest event id sent or skipped; rows counts the rows
	// sent to this page.
	last int64
	rows int
}

// run forwards new events until the stream ends.
func (t *eventTail) run() {
	ctx := t.r.Context()
	keepAlive := time.NewTicker(t.s.keepAlive)
	defer keepAlive.Stop()
	ended := t.s.store.SessionsEnded()
	over := func() bool {
		if !t.s.sessionEnded(t.r) {
			return false
		}
		t.end(views.EventListData{Filter: t.form, Paused: true, SessionEnded: true})
		return true
	}
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-t.sub.C:
			if !ok || !t.add(m) || !t.gather() {
				return // the server is closing, the page is full or the browser gone
			}
		case <-t.sub.Resync:
			if !t.catchUp() {
				return
			}
		case <-ended: // some session ended: this one?
			ended = t.s.store.SessionsEnded()
			if over() {
				return
			}
		case <-keepAlive.C:
			if over() {
				return
			}
			t.out.keepAlive()
			if !t.out.flush() {
				return
			}
		}
	}
}

// gather adds what arrives within streamCoalesce and sends it in one write:
// at a thousand events a second this turns a write and a wake-up per event
// and stream into one per few events. It reports whether the stream goes on.
func (t *eventTail) gather() bool {
	coalesce := time.NewTimer(streamCoalesce)
	defer coalesce.Stop()
	for range liveBuffer {
		if t.out.full() {
			break
		}
		select {
		case m, ok := <-t.sub.C:
			if !ok {
				t.out.flush()
				return false
			}
			if !t.add(m) {
				return false
			}
			continue
		case <-coalesce.C:
		case <-t.r.Context().Done():
			return false
		}
		break
	}
	return t.out.flush()
}

// add queues m's row if it matches, and reports whether the stream goes on.
func (t *eventTail) add(m *liveEvent) bool {
	// The hub signals a drop before it delivers anything published after
	// the dropped message, so a pending resync seen here means a gap before
	// m: fill it from the database first.
	select {
	case <-t.sub.Resync:
		if !t.catchUp() {
			return false
		}
	default:
	}
	if m.ID <= t.last {
		return true // already sent from the database
	}
	t.last = m.ID
	if !t.f.Match(m.Event) {
		return true
	}
	t.out.sendFrame(m.sseFrame(t.r.Context(), t.s))
	return t.sent()
}

// catchUp sends what was stored after t.last from the database, in
// batches, and reports whether the stream goes on.
func (t *eventTail) catchUp() bool {
	ctx := t.r.Context()
	for {
		cf := t.f
		cf.AfterID, cf.Ascending, cf.Limit = t.last, true, catchUpBatch
		evs, err := t.s.store.Events(ctx, cf)
		if err == nil {
			var cards views.CardLabels
			if cards, err = t.s.eventCards(ctx, evs); err == nil {
				for _, e := range evs {
					t.out.sendFrame(sseFrame(e, cards))
					t.last = e.ID
					if !t.sent() || t.out.full() && !t.out.flush() {
						return false
					}
				}
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				t.s.log.Error("event stream: catch up", "trace_id", traceID(t.r), "err", err)
			}
			return false
		}
		if !t.out.flush() {
			return false
		}
		if len(evs) < catchUpBatch {
			return true
		}
	}
}

// sent counts a row and, when the page is full, sends the paused control
// and reports false: the stream ends.
func (t *eventTail) sent() bool {
	t.rows++
	if t.rows < t.s.liveRows {
		return true
	}
	t.end(views.EventListData{Filter: t.form, Paused: true, LiveFull: t.rows})
	return false
}

// end sends the live control paused as d says, which closes the page's
// stream; the stream then ends.
func (t *eventTail) end(d views.EventListData) {
	var ctl bytes.Buffer
	if err := views.LiveControl(d).Render(t.r.Context(), &ctl); err != nil {
		return
	}
	t.out.send("", views.LiveFullEvent, ctl.String())
	t.out.flush()
}

// sessionEnded reports whether the session of a stream's request has ended
// (signed out or expired) since the stream opened. It does not mark the
// session seen: a page that only listens does not keep its session alive. A
// failure to read the session is logged and not taken as an end.
func (s *Server) sessionEnded(r *http.Request) bool {
	p := currentPrincipal(r)
	if p == nil {
		return false
	}
	err := s.store.CheckSession(r.Context(), p.token)
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrSessionExpired):
		return true
	}
	if r.Context().Err() == nil {
		s.log.Error("event stream: check session", "trace_id", traceID(r), "err", err)
	}
	return false
}
