package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cardops/store"
	"cardops/views"
)

// reissueActor names the signed-in admin for the store's audit rows.
func reissueActor(r *http.Request) store.ReissueActor {
	p := currentPrincipal(r)
	return store.ReissueActor{UserID: p.UserID, Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)}
}

// reissueRefused answers a refused reissue step with a readable page that
// says what happened and links the card.
func (s *Server) reissueRefused(w http.ResponseWriter, r *http.Request, status int, title, message, cardID string) {
	info := views.ErrorInfo{Status: status, Title: title, Message: message}
	if cardID != "" {
		info.Link, info.LinkLabel = "/cards/"+cardID, "Open the card"
	}
	s.refusal(w, r, info, "/reissues")
}

// reissueFormRequest reads the posted form of a step on request {rid} and
// loads the request. It answers the refusal itself (unknown request,
// unreadable form), audited as action, and then reports false.
func (s *Server) reissueFormRequest(w http.ResponseWriter, r *http.Request, action string) (store.ReissueRequest, bool) {
	rid := r.PathValue("rid")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	formErr := r.ParseForm()
	req, err := s.store.ReissueRequestByID(r.Context(), rid)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), action, "reissue", rid, store.ResultRefused, "no such request")
		s.reissueNotFound(w, r)
		return req, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return req, false
	}
	if formErr != nil {
		s.audit(r, currentPrincipal(r), action, "card", req.CardID, store.ResultRefused, "request "+rid+": unreadable form")
		s.reissueRefused(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed.", req.CardID)
		return req, false
	}
	return req, true
}

// deletedCardMessage gives the provider's 412 for a DELETED card in words.
const deletedCardMessage = "This card is deleted, and a deleted card cannot be reissued (the provider answers 412 for it). Nothing was changed."

// reissueRequestRefused explains a store refusal of a confirmation or a
// rejection, with req as it stands afterwards. It reports false when err is
// not a refusal it knows.
func (s *Server) reissueRequestRefused(w http.ResponseWriter, r *http.Request, req store.ReissueRequest, err error) bool {
	cardID := req.CardID
	var notIndependent *store.ReissueCheckerError
	switch {
	case errors.Is(err, store.ErrReissueTooManyAttempts):
		s.reissueRefused(w, r, http.StatusConflict, "Request cancelled",
			fmt.Sprintf("That was wrong try %d of %d, so this reissue request is now cancelled. Nothing was changed on the card; start again from step 1 if the card must still be reissued.", store.ReissueMaxAttempts, store.ReissueMaxAttempts), cardID)
	case errors.Is(err, store.ErrReissueDone):
		s.reissueRefused(w, r, http.StatusConflict, "Already reissued",
			fmt.Sprintf("This card was already reissued with this request by %s at %s: its number is now %s (expiry %02d/%d). Nothing more was changed; a form sent again never reissues twice.",
				req.Checker, views.FormatTime(req.DecidedAt), views.MaskedPAN(req.NewLast4), req.NewExpMonth, req.NewExpYear), cardID)
	case errors.Is(err, store.ErrCardDeleted):
		s.reissueRefused(w, r, http.StatusPreconditionFailed, "Card deleted", deletedCardMessage, cardID)
	case errors.Is(err, store.ErrReissueCardChanged):
		msg := "The card changed after step 1 (it was reissued, frozen or otherwise updated), so this request is cancelled and nothing was changed. Open the card, check it, and start again if it must still be reissued."
		if last, lerr := s.store.LatestDoneReissue(r.Context(), cardID); lerr == nil && !last.DecidedAt.Before(req.CreatedAt) {
			msg = fmt.Sprintf("This card was already reissued by %s at %s (its number is now %s), after this request was prepared. This request is cancelled and nothing more was changed.",
				last.Checker, views.FormatTime(last.DecidedAt), views.MaskedPAN(last.NewLast4))
		}
		s.reissueRefused(w, r, http.StatusConflict, "The card changed", msg, cardID)
	case errors.Is(err, store.ErrReissueExpired):
		s.reissueRefused(w, r, http.StatusConflict, "Request expired",
			fmt.Sprintf("A reissue request is valid for %d minutes and this one has run out. Nothing was changed; start again from step 1.", int(store.ReissueTTL.Minutes())), cardID)
	case errors.Is(err, store.ErrReissueClosed):
		msg := "This reissue request is " + strings.ToLower(req.Status) + "; nothing was changed."
		if req.DecisionNote != "" {
			msg = fmt.Sprintf("This reissue request is %s (%s); nothing was changed.", strings.ToLower(req.Status), req.DecisionNote)
		}
		if req.Checker != "" && req.Status == store.ReissueRejected {
			msg = fmt.Sprintf("%s rejected this reissue request (%s); nothing was changed.", req.Checker, req.DecisionNote)
		}
		s.reissueRefused(w, r, http.StatusConflict, "Request closed", msg, cardID)
	case errors.Is(err, store.ErrReissueNotYours):
		s.reissueRefused(w, r, http.StatusForbidden, "Not your request",
			"This reissue request was prepared by "+req.Maker+"; only they can confirm it. Nothing was changed.", cardID)
	case errors.Is(err, store.ErrReissueOwnRequest):
		s.reissueRefused(w, r, http.StatusForbidden, "A second admin must confirm",
			"Four-eyes mode: you prepared this reissue, so another admin must confirm it. Nothing was changed.", cardID)
	case errors.As(err, &notIndependent):
		s.reissueRefused(w, r, http.StatusForbidden, "Another admin must confirm",
			checkerRefusalText(notIndependent)+" Nothing was changed.", cardID)
	default:
		return false
	}
	return true
}

// checkerRefusalText says, to the admin who would confirm, why four-eyes
// mode does not take them as the second admin of a request.
func checkerRefusalText(e *store.ReissueCheckerError) string {
	switch e.Control {
	case store.CheckerCredentialsByMaker:
		return fmt.Sprintf("Four-eyes mode: %s, who prepared this reissue, set your account's password (by creating the account or resetting its password) or turned off its two-factor sign-in, so %s could have signed in as you, and your confirmation would not be a second person's. Changing your password yourself does not change that. Another admin must confirm; once the command line (cardops user reset) or another admin has set your password, you can confirm %s's requests.",
			e.Maker, e.Maker, e.Maker)
	case store.CheckerMadeAdminByMaker:
		return fmt.Sprintf("Four-eyes mode: %s, who prepared this reissue, made your account an admin (%s), so they would have chosen who checks their own request. Another admin must confirm.",
			e.Maker, views.FormatTime(e.At))
	default:
		return fmt.Sprintf("Four-eyes mode: your account became an admin at %s, after %s prepared this reissue, so it cannot be the second admin of this request. Another admin must confirm, or %s prepares it again.",
			views.FormatTime(e.At), e.Maker, e.Maker)
	}
}
