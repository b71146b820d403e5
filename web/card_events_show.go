package web

import (
	"net/http"

	"cardops/views"
)

// cardEventsShow is the card's newest events, which fetch themselves again
// when the card changes.
func (s *Server) cardEventsShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	events, err := s.store.CardEvents(r.Context(), card.ID, cardEventRows)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardEventsSection(cardLabel(card), events))
}
