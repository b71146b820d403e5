package web

import (
	"net/http"

	"cardops/views"
)

// reissueQueueRecent is how many decided requests the queue page lists.
const reissueQueueRecent = 20

// reissueQueue lists the reissue requests waiting for step 2 (in four-eyes
// mode, the second admin's work list) and the latest decisions.
func (s *Server) reissueQueue(w http.ResponseWriter, r *http.Request) {
	pending, err := s.store.PendingReissues(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	recent, err := s.store.RecentReissueDecisions(r.Context(), reissueQueueRecent)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.ReissueQueueData{Pending: pending, Recent: recent, FourEyes: s.fourEyes, ViewerID: currentPrincipal(r).UserID}
	s.render(w, r, http.StatusOK, views.ReissueQueuePage(s.page(r, "Reissues", "/reissues"), d))
}
