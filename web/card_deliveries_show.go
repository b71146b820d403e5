package web

import (
	"net/http"

	"cardops/views"
)

// cardDeliveriesShow is the card page's deliveries table (level 2), which
// fetches itself again when the card changes, and every second while a
// delivery is on its way.
func (s *Server) cardDeliveriesShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	rows, err := s.cardDeliveries(r.Context(), card.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardDeliveries(card.ID, rows, s.now().UnixMilli()))
}
