package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

// accountShow is every person's own page (GET /account): level, password,
// two-factor, and their sessions with this one marked. After a change,
// ?done=password or ?done=session says what was done.
func (s *Server) accountShow(w http.ResponseWriter, r *http.Request) {
	d := views.AccountData{Flash: map[string]string{
		"password": "Your password was changed; your other sessions ended.",
		"session":  "The session was ended.",
	}[r.URL.Query().Get("done")]}
	s.renderAccount(w, r, http.StatusOK, d)
}

// renderAccount draws the account page with d, filling in the person's
// user, sessions and recovery codes left.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, d views.AccountData) {
	p := currentPrincipal(r)
	u, err := s.store.UserByID(r.Context(), p.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sessions, err := s.store.UserSessions(r.Context(), p.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	left, err := s.store.RecoveryCodesLeft(r.Context(), p.UserID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.User, d.Sessions, d.CurrentID, d.RecoveryLeft = u, sessions, store.SessionTokenID(p.token), left
	s.render(w, r, status, views.AccountPage(s.page(r, "Your account", ""), d))
}
