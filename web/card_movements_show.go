package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

// cardMovementsShow is the newest page of the card's movements, which
// fetches itself again when the card changes.
func (s *Server) cardMovementsShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	d := views.CardPageData{Card: card}
	var err error
	if d.Movements, d.MovementsNext, err = s.store.CardMovements(r.Context(), card.ID, store.MovementCursor{}, cardMovementsPage); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardMovementsSection(d))
}
