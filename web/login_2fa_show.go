package web

import (
	"errors"
	"net/http"

	"cardops/views"
)

// loginTwoFactorShow is the second sign-in step (GET /login/2fa): the code
// after the password. Without a live half-finished sign-in it sends the
// browser back to the first step.
func (s *Server) loginTwoFactorShow(w http.ResponseWriter, r *http.Request) {
	u, _, _, err := s.challenge(r)
	if errors.Is(err, errNoSession) {
		s.signInAgain(w, r, http.StatusOK)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, views.LoginTwoFactorPage(s.page(r, "Sign in", ""), views.LoginTwoFactorForm{Username: u.Username}))
}

// signInAgain answers a second step with no live first step (it timed
// out, or was never made) with the sign-in form and a word why.
func (s *Server) signInAgain(w http.ResponseWriter, r *http.Request, status int) {
	f := views.LoginForm{Next: "/", Notice: "Your sign-in was not finished in time. Sign in again."}
	s.render(w, r, status, views.LoginPage(s.page(r, "Sign in", ""), f))
}
