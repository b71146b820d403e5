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
// the provider answers; a DELETED card is refused 412 too. With four-eyes
// reissue on, every reissue needs a second admin's confirmation, which a
// key cannot give: the call is refused 412 and the refusal audited.
func (s *Server) apiCardReissue(w http.ResponseWriter, r *http.Request) {
	cardID := strings.ToLower(r.PathValue("cardId"))
	if s.fourEyes {
		actor := apiActor(r)
		s.audit(r, &Principal{Username: actor.Username, Level: actor.Level}, store.AuditCardReissue, "card", cardID, store.ResultRefused,
			"four-eyes reissue is on: an API key cannot reissue alone")
		s.jsonError(w, r, http.StatusPreconditionFailed, apiCodeState,
			"Four-eyes reissue is on: a reissue needs a second admin's confirmation in the console, so the API cannot reissue a card")
		return
	}
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
