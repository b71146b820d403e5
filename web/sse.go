package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sseWriter writes one browser's Server-Sent Events: messages gather in a
// buffer and go out in one write with a deadline, so a browser that stops
// reading is dropped rather than holding its handler. Every live stream
// (event log, card page, request log) writes through one.
type sseWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf bytes.Buffer
}

// startSSE answers the request as an event stream and queues the retry
// hint; nothing is written until flush.
func startSSE(w http.ResponseWriter) *sseWriter {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &sseWriter{w: w, rc: http.NewResponseController(w)}
	st.buf.WriteString("retry: 2000\n: live\n\n")
	return st
}

// send queues one message (writeSSE); id may be "".
func (st *sseWriter) send(id, event, data string) { writeSSE(&st.buf, id, event, data) }

// sendFrame queues a message framed already (sseFrame).
func (st *sseWriter) sendFrame(frame []byte) { st.buf.Write(frame) }

// keepAlive queues a comment, which keeps proxies and browsers from closing
// an idle stream.
func (st *sseWriter) keepAlive() { st.buf.WriteString(": keep-alive\n\n") }

// full reports whether enough is queued that it should be written now.
func (st *sseWriter) full() bool { return st.buf.Len() >= maxStreamWrite }

// flush writes what is queued and reports whether the browser is still
// there.
func (st *sseWriter) flush() bool {
	if st.buf.Len() == 0 {
		return true
	}
	_ = st.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) // not every writer supports deadlines
	_, err := st.w.Write(st.buf.Bytes())
	st.buf.Reset()
	if st.buf.Cap() > 4*maxStreamWrite {
		st.buf = bytes.Buffer{} // a burst's buffer is not kept for the stream's life
	}
	return err == nil && st.rc.Flush() == nil
}

// streamStart reads where a stream picks up: the Last-Event-ID a
// reconnecting browser sends, else the after= of the page that opened it.
// given reports whether either was there.
func streamStart(r *http.Request) (after int64, given bool, ok bool) {
	start := r.Header.Get("Last-Event-ID")
	if start == "" {
		start = r.URL.Query().Get("after")
	}
	if start == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(strings.TrimSpace(start), 10, 64)
	if err != nil || n < 0 {
		return 0, true, false
	}
	return n, true, true
}

// badStreamStart answers a stream whose starting point is not an id.
func (s *Server) badStreamStart(w http.ResponseWriter, r *http.Request) {
	s.jsonError(w, r, http.StatusBadRequest, "VAL", "Last-Event-ID or after must be an id (a whole number).")
}
