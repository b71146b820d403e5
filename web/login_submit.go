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

// loginSubmit signs a person in: throttled per account and per address,
// every attempt audited, a fresh session on success.
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
	addr := remoteAddr(r)
	now := s.now()
	if wait := s.throttle.blockedFor(username, addr, now); wait > 0 {
		s.audit(r, nil, "login", "user", username, store.ResultRefused, "throttled")
		minutes := int(math.Ceil(wait.Minutes()))
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
		f.Error = fmt.Sprintf("Too many failed sign-ins. Wait %d minute(s) and try again.", minutes)
		s.render(w, r, http.StatusTooManyRequests, views.LoginPage(page, f))
		return
	}
	u, err := s.store.Authenticate(r.Context(), username, password)
	if errors.Is(err, store.ErrBadCredentials) {
		s.throttle.fail(username, addr, now)
		s.audit(r, nil, "login", "user", username, store.ResultRefused, "wrong username or password")
		f.Error = "Wrong username or password."
		s.render(w, r, http.StatusUnauthorized, views.LoginPage(page, f))
		return
	}
	if errors.Is(err, store.ErrUserDisabled) {
		// Said only after the right password, so it reveals nothing to a guesser.
		s.audit(r, nil, "login", "user", u.Username, store.ResultRefused, "account disabled")
		f.Error = "This account is disabled. Ask an admin if you need it again."
		s.render(w, r, http.StatusForbidden, views.LoginPage(page, f))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if u.TwoFactor() {
		// The throttle forgets the account's failures only once the code
		// is right too (login_2fa_submit.go).
		s.audit(r, nil, "login.password", "user", u.Username, store.ResultOK, "second factor asked")
		if err := s.startChallenge(w, r, u, f.Next); err != nil {
			s.serverError(w, r, err)
		}
		return
	}
	s.throttle.succeed(username)
	if err := s.startSession(w, r, u); err != nil {
		s.serverError(w, r, err)
		return
	}
	p := &Principal{UserID: u.ID, Username: u.Username, Level: u.Level}
	s.audit(r, p, "login", "user", u.Username, store.ResultOK, "")
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}
