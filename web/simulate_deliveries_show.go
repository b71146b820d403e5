package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

// simulateDeliveries is the Simulate page's deliveries table (GET
// /simulate/deliveries?card=), which refreshes itself.
func (s *Server) simulateDeliveries(w http.ResponseWriter, r *http.Request) {
	card := r.URL.Query().Get("card")
	rows, err := s.store.RecentOutbox(r.Context(), store.OutboxFilter{CardID: card, SkipBurst: true, Limit: 20})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SimDeliveries(card, rows))
}
