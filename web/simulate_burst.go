package web

import (
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateBurst enqueues a burst and shows its progress.
func (s *Server) simulateBurst(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.badSimForm(w, r, err)
		return
	}
	raw := r.PostForm.Get("n")
	n, err := strconv.Atoi(raw)
	if err != nil {
		n = -1
	}
	b, err := s.store.EnqueueBurst(r.Context(), n, r.PostForm.Get("card"), simActor(r))
	if se := simRefusal(err); se != nil {
		s.audit(r, currentPrincipal(r), store.AuditSimulateBurst, "burst", "", store.ResultRefused, se.Message)
		msg := se.Message
		if n == -1 {
			msg = "The number of notifications " + strconv.Quote(raw) + " is not a whole number between 1 and 10000."
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
		s.render(w, r, http.StatusOK, views.SimBurstProgress(b))
		return
	}
	http.Redirect(w, r, "/simulate/bursts/"+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
}
