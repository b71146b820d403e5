package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// apikeyRevoke revokes an API key for good (POST
// /settings/api-keys/{id}/revoke), then 303 to the keys.
func (s *Server) apikeyRevoke(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	var k store.APIKey
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		err = store.ErrNotFound // no key has that id
	} else {
		k, err = s.store.RevokeAPIKey(r.Context(), id, store.Actor{Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)})
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.refusal(w, r, views.ErrorInfo{Status: http.StatusNotFound, Title: "Key not found",
			Message: "There is no API key with this id. Nothing was changed.", Link: "/settings/api-keys", LinkLabel: "Back to the API keys"}, "/settings/api-keys")
		return
	case errors.Is(err, store.ErrAPIKeyRevoked):
		s.refusal(w, r, views.ErrorInfo{Status: http.StatusConflict, Title: "Revoked already",
			Message: "This API key was revoked already. Nothing more was changed.", Link: "/settings/api-keys", LinkLabel: "Back to the API keys"}, "/settings/api-keys")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/settings/api-keys?revoked="+url.QueryEscape(k.Name), http.StatusSeeOther)
}
