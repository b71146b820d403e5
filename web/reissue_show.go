package web

import (
	"errors"
	"net/http"

	"cardops/store"
	"cardops/views"
)

// reissueShow shows one reissue request: step 2 to the admin who may
// confirm it, a waiting notice to the others, the outcome once decided.
func (s *Server) reissueShow(w http.ResponseWriter, r *http.Request) {
	req, err := s.store.ReissueRequestByID(r.Context(), r.PathValue("rid"))
	if errors.Is(err, store.ErrNotFound) {
		s.reissueNotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderReissue(w, r, http.StatusOK, s.reissueShowData(r, req))
}

// reissueShowData works out what the viewer may do with req.
func (s *Server) reissueShowData(r *http.Request, req store.ReissueRequest) views.ReissueShowData {
	p := currentPrincipal(r)
	d := views.ReissueShowData{Request: req, IsMaker: p.UserID == req.MakerID, FourEyes: req.FourEyes || s.fourEyes}
	d.CardChanged = req.Status == store.ReissuePending && req.CardChanged()
	d.CanConfirm = req.Status == store.ReissuePending && d.IsMaker != d.FourEyes && !d.CardChanged
	if d.CanConfirm && d.FourEyes {
		// An admin the maker controls is refused on submit; say so now
		// rather than offer a form. A failed look-up leaves the form: the
		// confirmation checks again.
		var ce *store.ReissueCheckerError
		if err := s.store.ReissueCheckerRefusal(r.Context(), req, p.UserID); errors.As(err, &ce) {
			d.CanConfirm, d.NotIndependent = false, checkerRefusalText(ce)
		}
	}
	d.Confirm.NeedsCode = currentPrincipal(r).TwoFactor
	if d.CardChanged {
		// A reissue done since is named, as the refusal on submit does.
		if last, err := s.store.LatestDoneReissue(r.Context(), req.CardID); err == nil && !last.DecidedAt.Before(req.CreatedAt) {
			d.LaterReissue = &last
		}
	}
	return d
}

func (s *Server) renderReissue(w http.ResponseWriter, r *http.Request, status int, d views.ReissueShowData) {
	s.render(w, r, status, views.ReissuePage(s.page(r, "Reissue card", "/reissues"), d))
}

func (s *Server) reissueNotFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "Reissue request not found",
		"There is no reissue request "+r.PathValue("rid")+". Nothing was changed; start a reissue from the card.")
}
