package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// eventShow shows one event with its headers, raw and pretty JSON,
// verification and delivery attempts.
func (s *Server) eventShow(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.errorPageBack(w, r, http.StatusNotFound, "Event not found", "There is no event "+store.Cut(r.PathValue("id"), 64)+": event ids are whole numbers.",
			"/events", "Back to the event log", "/events")
		return
	}
	e, err := s.store.Event(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPageBack(w, r, http.StatusNotFound, "Event not found", "There is no event #"+strconv.FormatInt(id, 10)+".",
			"/events", "Back to the event log", "/events")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.EventPage(s.page(r, "Event #"+strconv.FormatInt(id, 10), "/events"), views.EventPageData{Event: e}))
}
