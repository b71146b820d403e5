package web

import (
	"net/http"

	"cardops/store"
)

// userEnable enables a disabled user (POST /settings/users/{uid}/enable, field reason), then
// 303 to the users page. Locking the console out is refused in words.
func (s *Server) userEnable(w http.ResponseWriter, r *http.Request) {
	c, f, u, ok := s.userChangeForm(w, r, store.AuditUserEnable)
	if !ok {
		return
	}
	f.Kind = "enable"
	_, err := s.store.EnableUser(r.Context(), c)
	s.userChangeDone(w, r, f, store.AuditUserEnable, u, err)
}
