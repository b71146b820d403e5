package web

import (
	"net/http"
)

// logoutSubmit ends the session on the server, with its audit row, so the
// old cookie is worthless even if it was copied.
func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	if err := s.store.SignOut(r.Context(), currentPrincipal(r).token, actorOf(r)); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", "/login?signed_out=1")
		return
	}
	http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
}
