package web

import (
	"net/http"

	"cardops/views"
)

// simulateWalletPicks is the Simulate page's wallet picker fragment (GET
// /simulate/wallets?wallet_q=&card=), refreshed as the operator types.
func (s *Server) simulateWalletPicks(w http.ResponseWriter, r *http.Request) {
	d, err := s.simPageFromQuery(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.SimWalletPicks(d))
}
