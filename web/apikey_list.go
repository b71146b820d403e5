package web

import (
	"net/http"

	"cardops/views"
)

// apikeyList shows the API keys and the form that makes one (GET
// /settings/api-keys).
func (s *Server) apikeyList(w http.ResponseWriter, r *http.Request) {
	s.apikeyPage(w, r, http.StatusOK, views.APIKeysData{Revoked: r.URL.Query().Get("revoked")})
}

// apikeyPage renders the API keys page with the keys as they are now.
func (s *Server) apikeyPage(w http.ResponseWriter, r *http.Request, status int, d views.APIKeysData) {
	keys, err := s.store.APIKeys(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Keys = keys
	if len(d.Revoked) > 80 {
		d.Revoked = d.Revoked[:80]
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, views.APIKeysPage(s.page(r, "API keys", "/settings/api-keys"), d))
}
