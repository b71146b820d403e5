package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

// userPasswordReset gives the user a new one-time password and ends their
// sessions (POST /settings/users/{uid}/password-reset, field reason). The
// password is shown on this answer only, so it is the users page itself
// (200), not a redirect.
func (s *Server) userPasswordReset(w http.ResponseWriter, r *http.Request) {
	c, f, u, ok := s.userChangeForm(w, r, store.AuditUserPasswordReset)
	if !ok {
		return
	}
	f.Kind = "password-reset"
	u, pw, err := s.store.ResetUserPassword(r.Context(), c)
	if err != nil {
		s.userChangeDone(w, r, f, store.AuditUserPasswordReset, u, err)
		return
	}
	s.renderUsers(w, r, http.StatusOK, views.UsersData{
		Flash:    doneMessage(f.Kind, u.Username) + " Their sessions ended.",
		Handover: &views.Handover{Username: u.Username, Password: pw},
	})
}
