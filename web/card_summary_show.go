package web

import (
	"net/http"

	"cardops/views"
)

// cardSummaryShow is the card page's card, holder, balance and wallet
// panels, which fetch themselves again when the card changes, with the
// card's head and status lines (swapped out of band).
func (s *Server) cardSummaryShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	d := views.CardPageData{Card: card}
	if err := s.cardSummary(r.Context(), &d); err != nil {
		s.serverError(w, r, err)
		return
	}
	freeze, err := s.cardFreezeData(r, card)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardSummaryRefresh(d, freeze))
}
