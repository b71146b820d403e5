package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"cardops/store"
)

// reissueReject turns down a pending reissue request with a reason: the
// four-eyes checker's "no", or the maker withdrawing their own request.
func (s *Server) reissueReject(w http.ResponseWriter, r *http.Request) {
	rid := r.PathValue("rid")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	formErr := r.ParseForm()
	req, err := s.store.ReissueRequestByID(r.Context(), rid)
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), "reissue.reject", "reissue", rid, store.ResultRefused, "no such request")
		s.reissueNotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if formErr != nil {
		s.reissueRefused(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed.", req.CardID)
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
			s.audit(r, currentPrincipal(r), "reissue.reject", "card", req.CardID, store.ResultRefused, "request "+rid+": no reason given")
			s.renderReissue(w, r, http.StatusUnprocessableEntity, d)
			return
		}
	}
	after, err := s.store.RejectReissue(r.Context(), store.ReissueRejection{RequestID: rid, Reason: reason, FourEyes: s.fourEyes, Actor: reissueActor(r)})
	switch {
	case err == nil:
		http.Redirect(w, r, "/reissues/"+rid, http.StatusSeeOther)
	case s.reissueRequestRefused(w, r, after, err):
	default:
		s.serverError(w, r, err)
	}
}
