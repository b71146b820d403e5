package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// apilogShow shows one API call with its (redacted) bodies (GET
// /api-log/{id}).
func (s *Server) apilogShow(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	req, err := s.store.APIRequestByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "Call not found", "The request log has no call with this id: it may be older than the log keeps.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cards, err := s.cardLabels(r.Context(), req.CardID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.APILogShowPage(s.page(r, req.Method+" "+req.Path, "/api-log"), req, cards))
}
