package web

import (
	"errors"
	"net/http"
	"strings"

	"cardops/store"
)

// apiCardReissue reissues a card at once (PUT
// /api/cards/virtual-cards/{cardId}/reissue, no body) and answers the card
// object with its new last4. An unknown card is 412 "Card not found", as
// the provider answers; a DELETED card is refused 412 too.
func (s *Server) apiCardReissue(w http.ResponseWriter, r *http.Request) {
	cardID := strings.ToLower(r.PathValue("cardId"))
	_, err := s.store.ReissueNow(r.Context(), cardID, apiActor(r))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.jsonError(w, r, http.StatusPreconditionFailed, apiCodeValidation, "Card not found")
		return
	case errors.Is(err, store.ErrCardDeleted):
		s.jsonError(w, r, http.StatusPreconditionFailed, apiCodeState, "The card is DELETED and cannot be reissued")
		return
	case err != nil:
		s.apiServerError(w, r, err)
		return
	}
	card, err := s.store.CardByID(r.Context(), cardID)
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newAPICard(card))
}
