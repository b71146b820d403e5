package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// cardFreeze freezes an ACTIVE card (POST /cards/{id}/freeze, fields reason,
// note, version), then 303 to the card.
func (s *Server) cardFreeze(w http.ResponseWriter, r *http.Request) {
	s.cardSetFrozen(w, r, true)
}

// cardSetFrozen is the freeze and the unfreeze: parse, validate, one store
// call, 303 to the card; a bad form or a refusal is shown on the freeze page
// in words, and nothing changes.
func (s *Server) cardSetFrozen(w http.ResponseWriter, r *http.Request, freeze bool) {
	id := strings.ToLower(r.PathValue("id"))
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	action := store.AuditCardUnfreeze
	if freeze {
		action = store.AuditCardFreeze
	}
	card, err := s.store.CardByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), action, "card", store.Cut(id, store.AnonymousValueMax), store.ResultRefused, "no such card")
		s.errorPage(w, r, http.StatusNotFound, "Card not found", "There is no card with the id "+strconvQuote(id)+". Nothing was changed.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.audit(r, currentPrincipal(r), action, "card", card.ID, store.ResultRefused, "unreadable form")
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed; open the card again.")
		return
	}
	f := views.CardFreezeForm{
		CardID: card.ID, Freeze: freeze,
		Reason: strings.TrimSpace(r.PostForm.Get("reason")), Note: r.PostForm.Get("note"),
	}
	f.SeenVersion, _ = strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	p := currentPrincipal(r)
	_, err = s.store.SetCardFrozen(r.Context(), store.CardFreeze{
		CardID: card.ID, Freeze: freeze, SeenVersion: f.SeenVersion,
		Reason: store.FreezeReason(f.Reason), Note: f.Note,
		Actor: store.Actor{Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)},
	})
	var fieldErrs store.FieldErrors
	var statusErr *store.CardStatusError
	status := http.StatusOK
	switch {
	case err == nil:
		http.Redirect(w, r, "/cards/"+card.ID, http.StatusSeeOther)
		return
	case errors.As(err, &fieldErrs):
		s.audit(r, p, action, "card", card.ID, store.ResultRefused, fieldErrs.Error())
		f.Errors, status = fieldErrs, http.StatusUnprocessableEntity
	case errors.As(err, &statusErr):
		f.Error, status = views.CardStatusRefusal(statusErr), http.StatusConflict
	case errors.Is(err, store.ErrCardChanged):
		f.Error, status = "The card changed since this page was drawn (it may have been reissued, frozen or unfrozen). Its state below is current: check it and decide again. Nothing was changed.", http.StatusConflict
	default:
		s.serverError(w, r, err)
		return
	}
	// Show the card as it is now: the form that fits its state, keeping what
	// was typed when that is still the same action.
	if fresh, err := s.store.CardByID(r.Context(), card.ID); err == nil {
		card = fresh
	}
	d, err := s.cardFreezeData(r, card)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Form.Freeze == freeze {
		d.Form.Reason, d.Form.Note, d.Form.Errors = f.Reason, f.Note, f.Errors
	}
	d.Form.Error = f.Error
	s.render(w, r, status, views.CardFreezePage(s.page(r, d.Form.Title(), "/cards"), d))
}

// cardFreezeData is the freeze panel of the card page for the viewer.
func (s *Server) cardFreezeData(r *http.Request, card store.Card) (views.CardFreezeData, error) {
	d := views.CardFreezeData{Card: card, CanChange: s.allowed(r, "POST /cards/{id}/freeze"), Form: views.NewCardFreezeForm(card)}
	hist, err := s.store.CardStatusHistory(r.Context(), card.ID)
	if err != nil {
		return d, err
	}
	if len(hist) > 0 {
		d.Last = &hist[0]
	}
	return d, nil
}
