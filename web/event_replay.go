package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// eventReplay delivers a stored event again through the outbox (POST
// /events/{id}/replay): same body, same operation_id, a new delivery with its
// own attempts, marked as a replay of the event, and audited.
func (s *Server) eventReplay(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		err = store.ErrNotFound
	}
	var ev store.Event
	if err == nil {
		ev, err = s.store.Event(r.Context(), n)
	}
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), "event.replay", "event", id, store.ResultRefused, "no such event")
		s.errorPage(w, r, http.StatusNotFound, "No such event", "There is no event "+id+" to replay; nothing was sent.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	m, err := s.store.EnqueueReplay(r.Context(), id, ev.Body, ev.WebhookID, simActor(r))
	if se := simRefusal(err); se != nil {
		s.audit(r, currentPrincipal(r), "event.replay", "event", id, store.ResultRefused, se.Message)
		s.errorPage(w, r, simRefusalStatus(se), "Replay refused", se.Message)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.wakeDispatcher()
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.SimResultBox(views.SimOutcome{OK: true,
			Message: "Replay queued: the stored notification goes out again as a new delivery.", Outbox: m, Target: s.simTarget}))
		return
	}
	http.Redirect(w, r, "/events/"+id, http.StatusSeeOther)
}
