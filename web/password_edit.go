package web

import (
	"net/http"

	"cardops/views"
)

// passwordEdit shows the change-password form (GET /account/password); a
// person whose password someone else set is sent here until they change it.
func (s *Server) passwordEdit(w http.ResponseWriter, r *http.Request) {
	f := views.PasswordForm{Forced: currentPrincipal(r).MustChangePassword}
	s.render(w, r, http.StatusOK, views.PasswordPage(s.page(r, "Change your password", ""), f))
}
