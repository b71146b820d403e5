package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// apikeyCreate makes an API key (POST /settings/api-keys: name, level,
// allowlist) and shows it once, on the page it answers: the key is not kept,
// so it cannot be shown after a redirect. A bad form is shown again with
// what is wrong.
func (s *Server) apikeyCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := currentPrincipal(r)
	if err := r.ParseForm(); err != nil {
		s.audit(r, p, store.AuditAPIKeyCreate, "api_key", "", store.ResultRefused, "unreadable form")
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed.")
		return
	}
	f := views.APIKeyForm{Name: strings.TrimSpace(r.PostForm.Get("name")), Level: r.PostForm.Get("level"),
		Allowlist: strings.TrimSpace(r.PostForm.Get("allowlist"))}
	level, _ := strconv.Atoi(f.Level)
	key, secret, err := s.store.CreateAPIKey(r.Context(), store.NewAPIKey{
		Name: f.Name, Level: store.Level(level), Allowlist: f.Allowlist,
		Actor: store.Actor{Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)},
	})
	var fe store.FieldErrors
	switch {
	case err == nil:
		s.apikeyPage(w, r, http.StatusOK, views.APIKeysData{Created: &key, Secret: secret})
	case errors.As(err, &fe):
		s.audit(r, p, store.AuditAPIKeyCreate, "api_key", "", store.ResultRefused, fe.Error())
		f.Errors = fe
		s.apikeyPage(w, r, http.StatusUnprocessableEntity, views.APIKeysData{Form: f})
	case errors.Is(err, store.ErrAPIKeyNameTaken):
		s.audit(r, p, store.AuditAPIKeyCreate, "api_key", "", store.ResultRefused, "name taken")
		f.Errors = store.FieldErrors{}
		f.Error = "A key named " + strconv.Quote(f.Name) + " exists already; choose another name. Nothing was changed."
		s.apikeyPage(w, r, http.StatusConflict, views.APIKeysData{Form: f})
	default:
		s.serverError(w, r, err)
	}
}
