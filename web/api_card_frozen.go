package web

import (
	"errors"
	"net/http"
	"strings"

	"cardops/store"
	"cardops/views"
)

// apiCardFrozen freezes or unfreezes a card (PATCH
// /api/cards/virtual-cards/{cardId}/frozen, {"freeze": bool}) through the
// console's own SetCardFrozen, and answers 200 {}. A card already in the
// asked state, or neither ACTIVE nor FROZEN, is refused 412.
func (s *Server) apiCardFrozen(w http.ResponseWriter, r *http.Request) {
	cardID := strings.ToLower(r.PathValue("cardId"))
	var body struct {
		Freeze *bool `json:"freeze"`
	}
	if !s.decodeAPIBody(w, r, &body) {
		return
	}
	if body.Freeze == nil {
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "The field freeze is required: true or false.")
		return
	}
	card, err := s.store.CardByID(r.Context(), cardID)
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, apiCodeNotFound, "Card not found")
		return
	}
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	// The provider's call carries no reason: none is recorded
	// (store.APIFreeze), and the key is the actor.
	_, err = s.store.SetCardFrozen(r.Context(), store.APIFreeze(card.ID, *body.Freeze, card.Version, apiActor(r)))
	var statusErr *store.CardStatusError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, struct{}{})
	case errors.As(err, &statusErr):
		s.jsonError(w, r, http.StatusPreconditionFailed, apiCodeState, strings.TrimSuffix(views.CardStatusRefusal(statusErr), "."))
	case errors.Is(err, store.ErrCardChanged):
		s.jsonError(w, r, http.StatusConflict, apiCodeState, "The card changed while this call ran; send it again.")
	default:
		s.apiServerError(w, r, err)
	}
}
