package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

// userList shows every user with their level, state, last sign-in, two-factor
// and sessions, and the forms to manage them (GET /settings/users). After a
// change, ?done=KIND&user=NAME words what was done.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) {
	d := views.UsersData{Flash: doneMessage(r.URL.Query().Get("done"), store.Cut(r.URL.Query().Get("user"), store.AnonymousValueMax))}
	s.renderUsers(w, r, http.StatusOK, d)
}

// renderUsers draws the users page with d, filling in the list.
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, d views.UsersData) {
	users, err := s.store.UserSummaries(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Users, d.Self = users, currentPrincipal(r).Username
	s.render(w, r, status, views.UsersPage(s.page(r, "Users", "/settings/users"), d))
}

// doneMessage words a change made on the users page, "" for none.
func doneMessage(kind, user string) string {
	what := map[string]string{
		"create":         "added",
		"level":          "level changed (a lower level ends their sessions and revokes their API keys above it)",
		"disable":        "disabled; their sessions ended and their API keys revoked",
		"enable":         "enabled",
		"password-reset": "password reset",
		"sessions":       "every session ended",
		"unlock":         "unlocked; failed sign-ins forgotten",
	}[kind]
	if what == "" || user == "" {
		return ""
	}
	return user + ": " + what + "."
}

// actorOf is the request's signed-in person as the store's audit names them.
func actorOf(r *http.Request) store.Actor {
	p := currentPrincipal(r)
	return store.Actor{Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)}
}
