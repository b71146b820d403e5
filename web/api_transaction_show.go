package web

import (
	"errors"
	"net/http"
	"strings"

	"cardops/store"
)

// apiTransactionShow answers one movement of a card (GET
// /api/cards/transactions/{cardId}/{transactionId}); a movement of another
// card is not found.
func (s *Server) apiTransactionShow(w http.ResponseWriter, r *http.Request) {
	cardID, id := strings.ToLower(r.PathValue("cardId")), strings.ToLower(r.PathValue("transactionId"))
	m, err := s.store.CardMovement(r.Context(), cardID, id)
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, apiCodeNotFound, "Resource not found")
		return
	}
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPITransaction(m))
}
