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

// apilogStream is the request log's live tail (GET /api-log/stream): a
// Server-Sent Events row for each new call that matches the filter. It
// first sends the calls stored after the after= id (the newest row of the
// page that opened it, at most one page of them), then the ready state, then
// new calls as they are logged. A browser that falls behind is sent what it
// missed from the database.
func (s *Server) apilogStream(w http.ResponseWriter, r *http.Request) {
	_, f := parseAPILogFilter(r.URL.Query())
	// The same cards as the page's listing; cards added later are not
	// picked up until the page is read again.
	_, ids, _, err := s.findCards(r.Context(), f.CardID)
	if err != nil {
		s.log.Error("API log stream: card filter", "trace_id", traceID(r), "err", err)
		s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The request log stream could not start.")
		return
	}
	f.CardIDs = ids
	// With a starting point (after=, or the Last-Event-ID of a reconnect)
	// the calls logged since are sent first; without one, only new calls.
	last, catchUpFirst, ok := streamStart(r)
	if !ok {
		s.badStreamStart(w, r)
		return
	}
	ctx := r.Context()
	sub := s.api.calls.Subscribe()
	defer sub.Close()

	out := startSSE(w)
	// shown says whether a call is one this stream has still to send.
	shown := func(req store.APIRequest) bool { return req.ID > last && f.Matches(req) }
	// send sends a shown call, its card looked up in cards.
	send := func(req store.APIRequest, cards views.CardLabels) {
		last = req.ID
		var row bytes.Buffer
		if err := views.APILogRow(req, cards).Render(context.Background(), &row); err != nil {
			return
		}
		out.send(strconv.FormatInt(req.ID, 10), views.APILogRowEvent, row.String())
	}
	catchUp := func() bool {
		cf := f
		cf.Limit = apilogPage
		reqs, err := s.store.APIRequests(ctx, cf)
		if err != nil {
			return false
		}
		cards, err := s.apiCallCards(ctx, reqs)
		if err != nil {
			return false
		}
		for i := len(reqs) - 1; i >= 0; i-- {
			if shown(reqs[i]) {
				send(reqs[i], cards)
			}
		}
		return true
	}
	if catchUpFirst && !catchUp() {
		return
	}
	var state bytes.Buffer
	views.APILogLiveState().Render(ctx, &state)
	out.send("", views.APILogReadyEvent, state.String())
	if !out.flush() {
		return
	}
	keepAlive := time.NewTicker(s.keepAlive)
	defer keepAlive.Stop()
	ended := s.store.SessionsEnded()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ended: // some session ended: this one? (see eventTail.run)
			ended = s.store.SessionsEnded()
			if s.sessionEnded(r) {
				return
			}
			continue
		case req, ok := <-sub.C:
			if !ok {
				return
			}
			if !shown(*req) {
				continue
			}
			cards, err := s.cardLabels(ctx, req.CardID)
			if err != nil {
				return
			}
			send(*req, cards)
		case <-sub.Resync:
			if !catchUp() {
				return
			}
		case <-keepAlive.C:
			// Like every live stream, it ends with its session.
			if s.sessionEnded(r) {
				return
			}
			out.keepAlive()
		}
		if !out.flush() {
			return
		}
	}
}
