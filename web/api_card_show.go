package web

import (
	"errors"
	"net/http"
	"strings"

	"cardops/store"
)

// apiCardShow answers the card object (GET /api/cards/virtual-cards/{cardId}).
func (s *Server) apiCardShow(w http.ResponseWriter, r *http.Request) {
	card, err := s.store.CardByID(r.Context(), strings.ToLower(r.PathValue("cardId")))
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, apiCodeNotFound, "Card not found")
		return
	}
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPICard(card))
}
