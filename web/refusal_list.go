package web

import (
	"net/http"
	"strconv"

	"cardops/views"
)

const refusalPageSize = 50

// refusalList shows the refused deliveries the receiver kept, newest first
// (GET /events/refused).
func (s *Server) refusalList(w http.ResponseWriter, r *http.Request) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	rs, err := s.store.Refusals(r.Context(), max(before, 0), refusalPageSize+1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	total, err := s.store.RefusalCount(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.RefusalListData{Refusals: rs, Total: total}
	if len(rs) > refusalPageSize {
		d.Refusals = rs[:refusalPageSize]
		d.NextBefore = d.Refusals[refusalPageSize-1].ID
	}
	s.render(w, r, http.StatusOK, views.RefusalsPage(s.page(r, "Refused deliveries", "/events"), d))
}
