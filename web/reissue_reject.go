package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"cardops/store"
)

// reissueReject turns down a pending reissue request with a reason: the
// four-eyes checker's "no", or the maker withdrawing their own request.
func (s *Server) reissueReject(w http.ResponseWriter, r *http.Request) {
	req, ok := s.reissueFormRequest(w, r, "reissue.reject")
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	d := s.reissueShowData(r, req)
	if req.Status == store.ReissuePending {
		d.Reject.Reason = reason
		switch {
		case reason == "":
			d.Reject.ReasonError = "Say why the request is turned down."
		case utf8.RuneCountInString(reason) > 500:
			d.Reject.ReasonError = "The reason must be at most 500 characters."
		}
		if d.Reject.ReasonError != "" {
			s.audit(r, currentPrincipal(r), store.AuditReissueReject, "card", req.CardID, store.ResultRefused, "request "+req.ID+": no reason given")
			s.renderReissue(w, r, http.StatusUnprocessableEntity, d)
			return
		}
	}
	after, err := s.store.RejectReissue(r.Context(), store.ReissueRejection{RequestID: req.ID, Reason: reason, FourEyes: s.fourEyes, Actor: reissueActor(r)})
	switch {
	case err == nil:
		http.Redirect(w, r, "/reissues/"+req.ID, http.StatusSeeOther)
	case s.reissueRequestRefused(w, r, after, err):
	default:
		s.serverError(w, r, err)
	}
}
