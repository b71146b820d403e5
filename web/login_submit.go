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

// loginSubmit signs a person in: throttled per account and address, per
// address and per account (store.ReserveSignIn), every password checked
// audited, a fresh session on success.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The sign-in form could not be read.")
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	f := views.LoginForm{Username: username, Next: safeNext(r.PostForm.Get("next"))}
	page := s.page(r, "Sign in", "")
	if username == "" {
		f.UsernameError = "Enter your username."
	}
	if password == "" {
		f.PasswordError = "Enter your password."
	}
	if f.UsernameError != "" || f.PasswordError != "" {
		s.render(w, r, http.StatusBadRequest, views.LoginPage(page, f))
		return
	}
	// Counted before the password is checked, so guesses sent in parallel
	// are refused once the limit is reached, however they are timed.
	slot, err := s.store.ReserveSignIn(r.Context(), username, remoteAddr(r))
	if throttled, ok := errors.AsType[*store.ThrottledError](err); ok {
		s.auditAnonymous(r, store.AuditLogin, "user", store.Cut(username, store.AnonymousValueMax), "throttled: "+throttled.Limit)
		minutes := int(math.Ceil(throttled.Wait.Minutes()))
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(throttled.Wait.Seconds()))))
		f.Error = fmt.Sprintf("Too many failed sign-ins. Wait %d minute(s) and try again.", minutes)
		s.render(w, r, http.StatusTooManyRequests, views.LoginPage(page, f))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u, err := s.authenticate(r.Context(), username, password)
	if errors.Is(err, store.ErrBadCredentials) {
		// The slot stays as the failure. Checked tries are few per address
		// (the throttle), so each is audited.
		s.audit(r, nil, store.AuditLogin, "user", store.Cut(username, store.AnonymousValueMax), store.ResultRefused, "wrong username or password")
		f.Error = "Wrong username or password."
		s.render(w, r, http.StatusUnauthorized, views.LoginPage(page, f))
		return
	}
	if err != nil && !errors.Is(err, store.ErrUserDisabled) {
		if rerr := s.store.ReleaseSignIn(r.Context(), slot); rerr != nil {
			err = errors.Join(err, rerr)
		}
		s.serverError(w, r, err)
		return
	}
	if err != nil || u.TwoFactor() {
		// The right password: not a failure. A disabled account is told so
		// only now, which reveals nothing to a guesser; an enrolled one's
		// failures are forgotten only once its code is right too
		// (login_2fa_submit.go).
		if rerr := s.store.ReleaseSignIn(r.Context(), slot); rerr != nil {
			s.serverError(w, r, rerr)
			return
		}
	}
	if errors.Is(err, store.ErrUserDisabled) {
		s.audit(r, nil, store.AuditLogin, "user", u.Username, store.ResultRefused, "account disabled")
		f.Error = "This account is disabled. Ask an admin if you need it again."
		s.render(w, r, http.StatusForbidden, views.LoginPage(page, f))
		return
	}
	if u.TwoFactor() {
		if err := s.startChallenge(w, r, u, f.Next); err != nil {
			s.serverError(w, r, err)
		}
		return
	}
	s.signedIn(w, r, slot, u, f.Next, "")
}

// signedIn finishes a sign-in whose every step passed: in one transaction
// with its audit row (store.SignIn) the throttle forgets the account's
// failures from this address and a fresh session starts; then the person
// goes where they were headed.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, slot store.SignInSlot, u store.User, next, detail string) {
	if err := s.startSession(w, r, store.SignIn{User: u, Slot: slot, Detail: detail}); err != nil {
		// Nothing of the sign-in was kept; its try is not a failure.
		if rerr := s.store.ReleaseSignIn(r.Context(), slot); rerr != nil {
			err = errors.Join(err, rerr)
		}
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
