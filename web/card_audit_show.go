package web

import (
	"net/http"

	"cardops/views"
)

// cardAuditShow is the card's audit trail, which fetches itself again when
// the card changes.
func (s *Server) cardAuditShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	audit, err := s.store.CardAudit(r.Context(), card.ID, cardAuditRows)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardAuditSection(card.ID, audit))
}
