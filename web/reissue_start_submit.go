package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// reissueStartSubmit records step 1: a reissue request bound to the admin,
// the card and the version of the card the admin saw, then 303 to step 2.
func (s *Server) reissueStartSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.audit(r, currentPrincipal(r), store.AuditReissueRequest, "card", id, store.ResultRefused, "unreadable form")
		s.reissueRefused(w, r, http.StatusBadRequest, "Bad request", "The reissue form could not be read. Nothing was changed; open the reissue page again.", id)
		return
	}
	c, err := s.store.ReissueCard(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), store.AuditReissueRequest, "card", id, store.ResultRefused, "no such card")
		s.errorPage(w, r, http.StatusNotFound, "Card not found", "There is no card with id "+store.MaskCardNumbers(id)+". Nothing was changed.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := views.ReissueStartForm{
		Reason: strings.ToUpper(strings.TrimSpace(r.PostForm.Get("reason"))),
		Note:   strings.TrimSpace(r.PostForm.Get("note")),
	}
	seen, verr := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if verr != nil || seen < 1 {
		// The hidden field is only ever what step 1 rendered: anything else
		// is a damaged or hand-made form.
		s.audit(r, currentPrincipal(r), store.AuditReissueRequest, "card", id, store.ResultRefused, "missing or invalid card version field")
		s.reissueRefused(w, r, http.StatusBadRequest, "Damaged form",
			"The form did not carry the card version step 1 was shown at, so it cannot be trusted. Nothing was changed; open the reissue page again.", id)
		return
	}
	nr := store.NewReissueRequest{
		CardID: c.ID, SeenVersion: seen, Reason: store.ReissueReason(f.Reason), Note: f.Note,
		FourEyes: s.fourEyes, Actor: reissueActor(r),
	}
	page := s.page(r, "Reissue card", "/reissues")
	rerender := func(status int) {
		f.SeenVersion = c.Version
		pending, err := s.pendingCardReissues(r, c.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d := views.ReissueStartData{Card: c, Form: f, FourEyes: s.fourEyes, Pending: pending}
		d.NewExpMonth, d.NewExpYear = s.store.NewReissueExpiry()
		s.render(w, r, status, views.ReissueStartPage(page, d))
	}
	if c.Status != "DELETED" {
		if errs := nr.Validate(); errs != nil {
			f.Errors = errs
			s.audit(r, currentPrincipal(r), store.AuditReissueRequest, "card", c.ID, store.ResultRefused, errs.Error())
			rerender(http.StatusUnprocessableEntity)
			return
		}
	}
	req, err := s.store.CreateReissueRequest(r.Context(), nr)
	switch {
	case err == nil:
		http.Redirect(w, r, "/reissues/"+req.ID, http.StatusSeeOther)
	case errors.Is(err, store.ErrCardDeleted):
		s.reissueRefused(w, r, http.StatusPreconditionFailed, "Card deleted", deletedCardMessage, c.ID)
	case errors.Is(err, store.ErrReissueCardChanged):
		if fresh, ferr := s.store.ReissueCard(r.Context(), c.ID); ferr == nil {
			c = fresh
		}
		f.Error = "The card changed since this page was opened (it may have been reissued or frozen). Its details below are current: check them and submit again."
		if last, lerr := s.store.LatestDoneReissue(r.Context(), c.ID); lerr == nil && last.CardVersion >= seen {
			f.Error = fmt.Sprintf("This card was already reissued by %s at %s; its number is now %s. Nothing more was changed. Submit again only if it must be reissued once more.",
				last.Checker, views.FormatTime(last.DecidedAt), views.MaskedPAN(last.NewLast4))
		}
		rerender(http.StatusConflict)
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "Card not found", "There is no card with id "+store.MaskCardNumbers(id)+". Nothing was changed.")
	default:
		s.serverError(w, r, err)
	}
}
