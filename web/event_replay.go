package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// eventReplay delivers a stored event again through the outbox (POST
// /events/{id}/replay): same body, same operation_id, a new outbox row with
// its own attempts, marked as a replay of the event, and audited. It goes
// out as the event came (signed under the event's webhook-id, or with the
// provider's key only), so the receiver records it as one more attempt on
// the same event. An htmx post gets the replay's progress, which follows the
// row until it is delivered; a refusal is answered in words in its place.
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
		s.audit(r, currentPrincipal(r), store.AuditEventReplay, "event", id, store.ResultRefused, "no such event")
		s.replayRefused(w, r, http.StatusNotFound, "No such event", "There is no event "+id+" to replay; nothing was sent.")
		return
	}
	if err != nil {
		s.replayFailed(w, r, id, err)
		return
	}
	m, err := s.store.EnqueueReplay(r.Context(), id, ev.Body, ev.WebhookID, simActor(r))
	if se := simRefusal(err); se != nil {
		refusal := views.WordSimRefusal(se, func(string) string { return "" })
		s.audit(r, currentPrincipal(r), store.AuditEventReplay, "event", id, store.ResultRefused, refusal.Message)
		s.replayRefused(w, r, simRefusalStatus(se), "Replay refused", refusal.Message)
		return
	}
	if err != nil {
		s.replayFailed(w, r, id, err)
		return
	}
	s.wakeDispatcher()
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.EventReplayProgress(views.EventReplayView{
			EventID: id, Message: m, Target: s.deliveryTarget(), Now: s.now()}))
		return
	}
	http.Redirect(w, r, "/events/"+id, http.StatusSeeOther)
}

// replayRefused answers a refused replay: a page with status, or for htmx
// (which swaps only 2xx answers) the message in place of the replay's
// progress, with 200.
func (s *Server) replayRefused(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.EventReplayProgress(views.EventReplayView{Error: message}))
		return
	}
	s.errorPage(w, r, status, title, message)
}

// replayFailed answers a replay the store could not take: logged and
// audited with the trace id, and said in words.
func (s *Server) replayFailed(w http.ResponseWriter, r *http.Request, id string, err error) {
	s.audit(r, currentPrincipal(r), store.AuditEventReplay, "event", id, store.ResultError, "trace "+traceID(r))
	if !isHTMX(r) {
		s.serverError(w, r, err)
		return
	}
	s.log.Error("request failed", "method", r.Method, "path", logPath(r), "trace_id", traceID(r), "err", err)
	s.render(w, r, http.StatusOK, views.EventReplayProgress(views.EventReplayView{
		Error: "The replay could not be queued: the database did not take it, so nothing was sent. Try again; " +
			"if it keeps failing, quote trace id " + traceID(r) + "."}))
}
