package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateBurstShow shows a burst's progress (GET /simulate/bursts/{bid}):
// the fragment that polls itself for htmx, else the Simulate page with it.
func (s *Server) simulateBurstShow(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("bid")
	id, _ := strconv.ParseInt(raw, 10, 64)
	b, err := s.store.BurstProgress(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
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
	d, err := s.simPageFromQuery(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Burst = &b
	s.render(w, r, http.StatusOK, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
}

// noSuchBurst answers a burst number nobody queued, leading back to Simulate.
func (s *Server) noSuchBurst(w http.ResponseWriter, r *http.Request, raw string) {
	s.errorPageBack(w, r, http.StatusNotFound, "No such burst", "There is no burst "+numberOrQuoted(raw)+".",
		"/simulate", "Back to Simulate", "/simulate")
}
