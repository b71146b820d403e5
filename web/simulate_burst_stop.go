package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateBurstStop stops a burst (POST /simulate/bursts/{bid}/stop): what
// it has not delivered yet is not sent, so the next burst can start. htmx
// gets the progress fragment, a browser without it the burst's page.
func (s *Server) simulateBurstStop(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("bid")
	id, _ := strconv.ParseInt(raw, 10, 64)
	b, err := s.store.StopBurst(r.Context(), id, simActor(r))
	if se := simRefusal(err); se != nil {
		msg := views.WordSimRefusal(se, nil).Message
		s.audit(r, currentPrincipal(r), store.AuditSimulateBurstStop, "burst", strconv.FormatInt(id, 10), store.ResultRefused, msg)
		if isHTMX(r) {
			s.render(w, r, http.StatusOK, views.SimBurstRefused(views.SimOutcome{Message: msg}, b, s.allowed(r, views.BurstStopRoute)))
			return
		}
		s.errorPageBack(w, r, simRefusalStatus(se), "Burst not stopped", msg,
			"/simulate/bursts/"+strconv.FormatInt(id, 10), "Back to the burst", "/simulate")
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), store.AuditSimulateBurstStop, "burst", strconv.FormatInt(id, 10), store.ResultRefused, "no such burst")
		s.noSuchBurst(w, r, raw)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.SimBurstProgress(b, s.allowed(r, views.BurstStopRoute)))
		return
	}
	http.Redirect(w, r, "/simulate/bursts/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}
