package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// eventReplayShow is a replay's progress on the event page (GET
// /events/{id}/replays/{oid}), which the fragment polls while the replay is
// on its way. Once the row is delivered the fragment carries the event's
// delivery panel and attempts, reloaded, for htmx to swap in. Without htmx
// it sends the browser to the delivery's own page.
func (s *Server) eventReplayShow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	oid, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil || oid <= 0 {
		err = store.ErrNotFound
	}
	var v views.EventReplayView
	if err == nil {
		v.Message, v.Attempts, err = s.store.OutboxMessage(r.Context(), oid)
	}
	if err == nil && v.Message.ReplayOfEvent != id {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		s.replayRefused(w, r, http.StatusNotFound, "No such replay",
			"There is no replay "+r.PathValue("oid")+" of event "+id+".")
		return
	}
	if err != nil {
		s.replayProgressFailed(w, r, err)
		return
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/simulate/deliveries/"+strconv.FormatInt(oid, 10), http.StatusSeeOther)
		return
	}
	v.EventID, v.Target, v.Now = id, s.deliveryTarget(), s.now()
	if v.Message.State == store.OutboxDelivered {
		if n, perr := strconv.ParseInt(id, 10, 64); perr == nil {
			ev, err := s.store.Event(r.Context(), n)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				s.replayProgressFailed(w, r, err)
				return
			}
			if err == nil {
				v.Event = &ev
			}
		}
	}
	s.render(w, r, http.StatusOK, views.EventReplayProgress(v))
}

// replayProgressFailed says in words that the progress could not be read;
// the fragment then stops polling.
func (s *Server) replayProgressFailed(w http.ResponseWriter, r *http.Request, err error) {
	if !isHTMX(r) {
		s.serverError(w, r, err)
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", logPath(r), "trace_id", traceID(r), "err", err)
	s.render(w, r, http.StatusOK, views.EventReplayProgress(views.EventReplayView{
		Error: "The replay's progress could not be read (trace id " + traceID(r) + "); reload the page to see its attempts."}))
}
