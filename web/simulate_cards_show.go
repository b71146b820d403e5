package web

import (
	"net/http"

	"cardops/views"
)

// simulateCardPicks is the Simulate page's card picker fragment (GET
// /simulate/cards?card_q=&wallet=), refreshed as the operator types.
func (s *Server) simulateCardPicks(w http.ResponseWriter, r *http.Request) {
	d, err := s.simPageFromQuery(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SimCardPicks(d))
}
