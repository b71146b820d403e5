package web

import (
	"maps"
	"net/http"
	"net/url"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateRun runs one of the sandbox's actions from the Simulate page (POST
// /simulate/{action}: authorize, clearing, …).
func (s *Server) simulateRun(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if !store.IsSimAction(action) {
		s.notFound(w, r)
		return
	}
	form, err := parseSimForm(w, r)
	if err != nil {
		s.badSimForm(w, r, err)
		return
	}
	req := simRequest(r, action, form)
	res, err := s.store.Simulate(r.Context(), req)
	if se := simRefusal(err); se != nil {
		refusal := views.WordSimRefusal(se, form.Typed)
		s.auditSimRefusal(r, req, refusal.Message)
		d, derr := s.simPageData(r.Context(), form)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		maps.Copy(d.Form.Errors, refusal.Fields)
		d.Result = &views.SimOutcome{Message: refusal.Message}
		if isHTMX(r) {
			// htmx swaps only 2xx answers: the form comes back with its
			// field error (and the panels as they are now).
			s.render(w, r, http.StatusOK, views.SimActionAnswer(d))
			return
		}
		s.render(w, r, http.StatusUnprocessableEntity, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.wakeDispatcher()
	if isHTMX(r) {
		// The form keeps what was typed, without the errors of earlier
		// presses; the authorization goes back to the newest open one.
		form.Errors, form.Authorization, form.RefundOf = nil, "", ""
		d, err := s.simPageData(r.Context(), form)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Result = views.SimDone(res, s.deliveryTarget())
		// The Card and Wallet panels come along, read after the action.
		s.render(w, r, http.StatusOK, views.SimActionAnswer(d))
		return
	}
	q := url.Values{}
	if form.CardID != "" {
		q.Set("card", form.CardID)
	}
	if form.WalletID != "" {
		q.Set("wallet", form.WalletID)
	}
	q.Set("done", strconv.FormatInt(res.Outbox.ID, 10))
	http.Redirect(w, r, "/simulate?"+q.Encode(), http.StatusSeeOther)
}
