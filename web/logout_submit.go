package web

import (
	"net/http"

	"cardops/store"
)

// logoutSubmit ends the session on the server, so the old cookie is
// worthless even if it was copied.
func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	if err := s.endSession(w, r, p); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, p, store.AuditLogout, "user", p.Username, store.ResultOK, "")
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", "/login?signed_out=1")
		return
	}
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
}
