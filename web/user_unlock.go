package web

import (
	"net/http"

	"cardops/store"
)

// userUnlock forgets a user's failed sign-ins, from every address, so they
// can sign in at once (POST /settings/users/{uid}/unlock, field reason), then
// 303 to the users page.
func (s *Server) userUnlock(w http.ResponseWriter, r *http.Request) {
	c, f, u, ok := s.userChangeForm(w, r, store.AuditUserUnlock)
	if !ok {
		return
	}
	f.Kind = "unlock"
	_, err := s.store.UnlockUserChange(r.Context(), c)
	s.userChangeDone(w, r, f, store.AuditUserUnlock, u, err)
}
