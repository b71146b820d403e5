package web

import (
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateBurst enqueues a burst and shows its progress. While another
// burst is being delivered it is refused, and the page follows that one.
func (s *Server) simulateBurst(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.badSimForm(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PostForm.Get("n"))
	if err != nil {
		n = -1 // refused as out of range, quoting what was typed
	}
	b, err := s.store.EnqueueBurst(r.Context(), n, r.PostForm.Get("card"), simActor(r))
	if se := simRefusal(err); se != nil {
		msg := views.WordSimRefusal(se, r.PostForm.Get).Message
		s.audit(r, currentPrincipal(r), store.AuditSimulateBurst, "burst", "", store.ResultRefused, msg)
		if isHTMX(r) && se.Burst != nil {
			s.render(w, r, http.StatusOK, views.SimBurstRefused(views.SimOutcome{Message: msg}, *se.Burst, s.allowed(r, views.BurstStopRoute)))
			return
		}
		if isHTMX(r) {
			s.render(w, r, http.StatusOK, views.SimResultBox(views.SimOutcome{Message: msg}))
			return
		}
		s.errorPage(w, r, simRefusalStatus(se), "Burst refused", msg)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.wakeDispatcher()
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.SimBurstProgress(b, s.allowed(r, views.BurstStopRoute)))
		return
	}
	http.Redirect(w, r, "/simulate/bursts/"+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
}
