package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"cardops/store"
)

// reissueConfirm is reissue step 2: the card's current last 4 and the
// admin's own password, then the reissue in one transaction. Wrong answers
// bring the form back; anything else that stops it says what happened.
func (s *Server) reissueConfirm(w http.ResponseWriter, r *http.Request) {
	req, ok := s.reissueFormRequest(w, r, "reissue.confirm")
	if !ok {
		return
	}
	last4 := strings.TrimSpace(r.PostForm.Get("last4"))
	password := r.PostForm.Get("password")

	d := s.reissueShowData(r, req)
	if req.Status == store.ReissuePending && d.CanConfirm {
		// An incomplete form is not a guess: it is sent back without
		// counting as a wrong try.
		if !isFourDigits(last4) {
			d.Confirm.Last4Error = "Type the 4 digits at the end of the card's current number."
		}
		if password == "" {
			d.Confirm.PasswordError = "Enter your password."
		}
		if d.Confirm.NeedsCode && strings.TrimSpace(r.PostForm.Get("code")) == "" {
			d.Confirm.CodeError = "Type the code from your authenticator app."
		}
		if d.Confirm.Last4Error != "" || d.Confirm.PasswordError != "" || d.Confirm.CodeError != "" {
			s.audit(r, currentPrincipal(r), store.AuditReissueConfirm, "card", req.CardID, store.ResultRefused, "request "+req.ID+": incomplete form")
			s.renderReissue(w, r, http.StatusUnprocessableEntity, d)
			return
		}
	}

	// An admin with two-factor sign-in steps up with password and code.
	// The code is checked here and spent by the reissue it allows; a
	// refused one is passed as none, a wrong try.
	var factor *store.SecondFactor
	if p := currentPrincipal(r); p.TwoFactor && req.Status == store.ReissuePending && d.CanConfirm {
		f, err := s.store.CheckSecondFactor(r.Context(), p.UserID, r.PostForm.Get("code"))
		switch {
		case errors.Is(err, store.ErrCodeWrong), errors.Is(err, store.ErrCodeReused):
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			factor = &f
		}
	}
	done, err := s.store.ConfirmReissue(r.Context(), store.ReissueConfirmation{
		RequestID: req.ID, Last4: last4, Password: password, FourEyes: s.fourEyes, Actor: reissueActor(r),
		SecondFactor: factor,
	})
	switch {
	case err == nil:
		http.Redirect(w, r, "/reissues/"+req.ID, http.StatusSeeOther)
		return
	case errors.Is(err, store.ErrStepUpLockout):
		// Too many wrong passwords across requests: every session of this
		// admin was ended (and audited); signing in again is throttled.
		s.signedOutByStepUp(w, r)
		return
	case errors.Is(err, store.ErrNotFound):
		s.reissueNotFound(w, r)
		return
	case s.reissueRequestRefused(w, r, done, err):
		return
	case errors.Is(err, store.ErrReissueWrongLast4), errors.Is(err, store.ErrReissueWrongPassword), errors.Is(err, store.ErrReissueWrongCode):
		d = s.reissueShowData(r, done)
		if errors.Is(err, store.ErrReissueWrongLast4) {
			d.Confirm.Last4Error = "That is not the last 4 of the card's current number."
		}
		if errors.Is(err, store.ErrReissueWrongPassword) {
			d.Confirm.PasswordError = "That is not your password."
		}
		if errors.Is(err, store.ErrReissueWrongCode) {
			d.Confirm.CodeError = "Wrong code, one from another period, or one used already: type the code the app shows now."
		}
		d.Confirm.Error = fmt.Sprintf("Nothing was changed. %d of %d tries left before this request is cancelled.", done.AttemptsLeft(), store.ReissueMaxAttempts)
		s.renderReissue(w, r, http.StatusUnprocessableEntity, d)
	default:
		s.serverError(w, r, err)
	}
}

// isFourDigits reports whether s is exactly four ASCII digits.
func isFourDigits(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := 0; i < 4; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
