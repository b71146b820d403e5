package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"cardops/store"
)

// apikeyRevoke revokes an API key for good (POST
// /settings/api-keys/{id}/revoke), then 303 to the keys.
func (s *Server) apikeyRevoke(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	k, err := s.store.RevokeAPIKey(r.Context(), id, store.Actor{Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)})
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "Key not found", "There is no API key with this id. Nothing was changed.")
		return
	case errors.Is(err, store.ErrAPIKeyRevoked):
		s.errorPage(w, r, http.StatusConflict, "Revoked already", "This API key was revoked already. Nothing more was changed.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings/api-keys?revoked="+url.QueryEscape(k.Name), http.StatusSeeOther)
}
