package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"cardops/store"
	"cardops/views"
)

// apilogKeepAlive is how often an idle request-log stream sends a comment,
// so proxies and browsers keep it open.
const apilogKeepAlive = 20 * time.Second

// apilogStream is the request log's live tail (GET /api-log/stream): a
// Server-Sent Events row for each new call that matches the filter. It
// first sends the calls stored after the after= id (the newest row of the
// page that opened it, at most one page of them), then the ready state, then
// new calls as they are logged. A browser that falls behind is sent what it
// missed from the database.
func (s *Server) apilogStream(w http.ResponseWriter, r *http.Request) {
	_, f := parseAPILogFilter(r.URL.Query())
	// With a starting point (after=, or the Last-Event-ID of a reconnect)
	// the calls logged since are sent first; without one, only new calls.
	last, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	catchUpFirst := err == nil && last >= 0
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id >= 0 {
		last, catchUpFirst = id, true
	}
	ctx := r.Context()
	sub := s.api.calls.Subscribe()
	defer sub.Close()

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	var buf bytes.Buffer
	flush := func() bool {
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		return err == nil && rc.Flush() == nil
	}
	send := func(req store.APIRequest) {
		if req.ID <= last || !f.Matches(req) {
			return
		}
		last = req.ID
		var row bytes.Buffer
		if err := views.APILogRow(req).Render(context.Background(), &row); err != nil {
			return
		}
		writeSSE(&buf, strconv.FormatInt(req.ID, 10), views.APILogRowEvent, row.String())
	}
	catchUp := func() bool {
		cf := f
		cf.Limit = apilogPage
		reqs, err := s.store.APIRequests(ctx, cf)
		if err != nil {
			return false
		}
		for i := len(reqs) - 1; i >= 0; i-- {
			send(reqs[i])
		}
		return true
	}
	buf.WriteString("retry: 2000\n")
	if catchUpFirst && !catchUp() {
		return
	}
	var state bytes.Buffer
	views.APILogLiveState().Render(ctx, &state)
	writeSSE(&buf, "", views.APILogReadyEvent, state.String())
	if !flush() {
		return
	}
	keepAlive := time.NewTicker(apilogKeepAlive)
	defer keepAlive.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case req, ok := <-sub.C:
			if !ok {
				return
			}
			send(*req)
		case <-sub.Resync:
			if !catchUp() {
				return
			}
		case <-keepAlive.C:
			buf.WriteString(": keep-alive\n\n")
		}
		if buf.Len() > 0 && !flush() {
			return
		}
	}
}
