package web

import (
	"errors"
	"net/http"

	"cardops/store"
	"cardops/views"
)

// reissueStartShow is reissue step 1: the warning, the card as it is and the
// reason form.
func (s *Server) reissueStartShow(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := s.store.ReissueCard(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "Card not found", "There is no card with id "+store.MaskCardNumbers(id)+".")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if c.Status == "DELETED" {
		s.reissueRefused(w, r, http.StatusPreconditionFailed, "Card deleted", deletedCardMessage, c.ID)
		return
	}
	d := views.ReissueStartData{Card: c, Form: views.ReissueStartForm{SeenVersion: c.Version}, FourEyes: s.fourEyes}
	d.NewExpMonth, d.NewExpYear = s.store.NewReissueExpiry()
	if d.Pending, err = s.pendingCardReissues(r, c.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ReissueStartPage(s.page(r, "Reissue card", "/reissues"), d))
}

// pendingCardReissues returns the card's requests still waiting for step 2.
func (s *Server) pendingCardReissues(r *http.Request, cardID string) ([]store.ReissueRequest, error) {
	all, err := s.store.CardReissues(r.Context(), cardID)
	if err != nil {
		return nil, err
	}
	var out []store.ReissueRequest
	for _, rq := range all {
		if rq.Status == store.ReissuePending {
			out = append(out, rq)
		}
	}
	return out, nil
}
