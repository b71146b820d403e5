package web

import (
	"net/http"

	"cardops/store"
)

// userSessionsEnd ends every session of the user (POST
// /settings/users/{uid}/sessions/end, field reason), then 303 to the users
// page.
func (s *Server) userSessionsEnd(w http.ResponseWriter, r *http.Request) {
	c, f, u, ok := s.userChangeForm(w, r, store.AuditUserSessionsEnd)
	if !ok {
		return
	}
	f.Kind = "sessions"
	_, err := s.store.EndUserSessions(r.Context(), c)
	s.userChangeDone(w, r, f, store.AuditUserSessionsEnd, u, err)
}
