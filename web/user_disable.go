package web

import (
	"net/http"

	"cardops/store"
)

// userDisable disables the user and ends their sessions at once (POST /settings/users/{uid}/disable, field reason), then
// 303 to the users page. Locking the console out is refused in words.
func (s *Server) userDisable(w http.ResponseWriter, r *http.Request) {
	c, f, u, ok := s.userChangeForm(w, r, store.AuditUserDisable)
	if !ok {
		return
	}
	f.Kind = "disable"
	_, err := s.store.DisableUser(r.Context(), c)
	s.userChangeDone(w, r, f, store.AuditUserDisable, u, err)
}
