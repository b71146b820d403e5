package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"cardops/store"
	"cardops/views"
)

// loginTwoFactorSubmit finishes a sign-in with a TOTP code or a recovery
// code (POST /login/2fa, field code): throttled like the password step,
// every attempt audited, a fresh session on success.
func (s *Server) loginTwoFactorSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	u, token, next, err := s.challenge(r)
	if errors.Is(err, errNoSession) {
		s.signInAgain(w, r, http.StatusUnauthorized)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	f := views.LoginTwoFactorForm{Username: u.Username}
	page := s.page(r, "Sign in", "")
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if code == "" {
		f.Error = "Type the code from your authenticator app."
		s.render(w, r, http.StatusBadRequest, views.LoginTwoFactorPage(page, f))
		return
	}
	// Each code is counted before it is checked, like a password.
	slot, err := s.store.ReserveSignIn(r.Context(), u.Username, remoteAddr(r))
	if throttled, ok := errors.AsType[*store.ThrottledError](err); ok {
		s.audit(r, nil, store.AuditLoginSecondFactor, "user", u.Username, store.ResultRefused, "throttled: "+throttled.Limit)
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(throttled.Wait.Seconds()))))
		f.Error = fmt.Sprintf("Too many failed sign-ins. Wait %d minute(s) and try again.", int(math.Ceil(throttled.Wait.Minutes())))
		s.render(w, r, http.StatusTooManyRequests, views.LoginTwoFactorPage(page, f))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	factor, err := s.store.CheckSecondFactor(r.Context(), u.ID, code)
	if err == nil {
		// The code is spent in the sign-in's transaction: a sign-in that
		// fails keeps it, and one that another sign-in spent first fails.
		err = s.startSession(w, r, store.SignIn{User: u, Slot: slot, Detail: "second factor: " + factor.Method,
			SecondFactor: &factor, Challenge: token})
	}
	if s.secondFactorRefused(w, r, page, f, err) {
		return
	}
	if err != nil {
		if rerr := s.store.ReleaseSignIn(r.Context(), slot); rerr != nil {
			err = errors.Join(err, rerr)
		}
		s.serverError(w, r, err)
		return
	}
	s.clearChallengeCookie(w, r)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// secondFactorRefused answers a code that is wrong or used already, with
// its audit row, and reports whether it did.
func (s *Server) secondFactorRefused(w http.ResponseWriter, r *http.Request, page views.Page, f views.LoginTwoFactorForm, err error) bool {
	switch {
	case errors.Is(err, store.ErrCodeReused):
		s.audit(r, nil, store.AuditLoginSecondFactor, "user", f.Username, store.ResultRefused, "code already used")
		f.Error = "That code was used already. Wait for the app to show the next one (at most 30 seconds) and type that."
	case errors.Is(err, store.ErrCodeWrong):
		s.audit(r, nil, store.AuditLoginSecondFactor, "user", f.Username, store.ResultRefused, "wrong code")
		f.Error = "Wrong code, or one from another period. Type the code the app shows now, or a recovery code."
	default:
		return false
	}
	s.render(w, r, http.StatusUnauthorized, views.LoginTwoFactorPage(page, f))
	return true
}
