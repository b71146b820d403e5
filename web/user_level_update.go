package web

import (
	"net/http"

	"cardops/store"
)

// userLevelUpdate changes the user's level (field level, 1 to 3) (POST /settings/users/{uid}/level, field reason), then
// 303 to the users page. Locking the console out is refused in words.
func (s *Server) userLevelUpdate(w http.ResponseWriter, r *http.Request) {
	c, f, u, ok := s.userChangeForm(w, r, store.AuditUserLevel)
	if !ok {
		return
	}
	f.Kind = "level"
	_, err := s.store.SetUserLevel(r.Context(), c)
	s.userChangeDone(w, r, f, store.AuditUserLevel, u, err)
}
