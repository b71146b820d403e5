package web

import (
	"net/http"

	"cardops/views"
)

// homeShow is the overview after sign-in.
func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.HomePage(s.page(r, "Overview", "/")))
}
