package web

import "net/http"

// homeRedirect sends a signed-in person from / to the card search, where
// support staff spend their day.
func (s *Server) homeRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/cards", http.StatusSeeOther)
}
