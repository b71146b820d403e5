package web

import (
	"context"
	"errors"
	"net/http"

	"cardops/store"
	"cardops/views"
)

// EventBodies is what replay needs from the receiver's event store: the raw
// body stored for an event. At merge the lead wires it to store.Event (e.g.
// a method returning ev.RawBody), sets Config.ReplaySource, and adds the route
//
//	{pattern: "POST /events/{id}/replay", level: store.LevelOperational, handle: s.eventReplay},
type EventBodies interface {
	// EventBody returns the body event id was received with; an unknown id
	// is an error wrapping store.ErrNotFound.
	EventBody(ctx context.Context, id string) ([]byte, error)
}

// eventReplay delivers a stored event again through the outbox (POST
// /events/{id}/replay): same body, same operation_id, a new delivery with its
// own attempts, marked as a replay of the event, and audited.
func (s *Server) eventReplay(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if s.replayEvents == nil {
		s.serverError(w, r, errors.New("web: replay: Config.ReplaySource is not set"))
		return
	}
	body, err := s.replayEvents.EventBody(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), "event.replay", "event", id, store.ResultRefused, "no such event")
		s.errorPage(w, r, http.StatusNotFound, "No such event", "There is no event "+id+" to replay; nothing was sent.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	m, err := s.store.EnqueueReplay(r.Context(), id, body, simActor(r))
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
