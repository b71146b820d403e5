package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

// cardSimulate runs a card action from the card page's Simulate panel (POST
// /cards/{id}/simulate/{action}).
func (s *Server) cardSimulate(w http.ResponseWriter, r *http.Request) {
	cardID, action := r.PathValue("id"), r.PathValue("action")
	if !store.IsSimAction(action) || action == store.ActDepositWallet || action == store.ActWithdraw {
		s.notFound(w, r)
		return
	}
	form, err := parseSimForm(w, r)
	if err != nil {
		s.badSimForm(w, r, err)
		return
	}
	form.CardID, form.WalletID = cardID, ""
	req := simRequest(r, action, form)
	res, err := s.store.Simulate(r.Context(), req)
	if se := simRefusal(err); se != nil {
		refusal := views.WordSimRefusal(se, form.Typed)
		s.auditSimRefusal(r, req, refusal.Message)
		if isHTMX(r) {
			// The form comes back whole, with its field errors (the card
			// is the page's, not a field); the refusal is in the card's
			// audit trail.
			form.Errors = refusal.Fields
			delete(form.Errors, "card")
			w.Header().Set("HX-Trigger", views.CardChangedEvent)
			s.renderCardSimForm(w, r, form, &views.SimOutcome{Message: refusal.Message})
			return
		}
		s.refusal(w, r, views.ErrorInfo{Status: simRefusalStatus(se), Title: "Simulation refused", Message: refusal.Message + " Nothing was changed.",
			Link: "/cards/" + cardID, LinkLabel: "Back to the card"}, "/cards")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.wakeDispatcher()
	if isHTMX(r) {
		// Earlier errors go; the authorization goes back to the newest. The
		// page's live sections show the change at once, before the
		// notification comes back through the receiver.
		form.Authorization, form.RefundOf = "", ""
		w.Header().Set("HX-Trigger", views.CardChangedEvent)
		s.renderCardSimForm(w, r, form, views.SimDone(res, s.deliveryTarget()))
		return
	}
	http.Redirect(w, r, "/cards/"+cardID, http.StatusSeeOther)
}

// renderCardSimForm answers an htmx press on the card page with the whole
// action form: the values as typed, the authorizations open now, the answer.
func (s *Server) renderCardSimForm(w http.ResponseWriter, r *http.Request, form views.SimForm, result *views.SimOutcome) {
	auths, err := s.simAuthorizations(r.Context(), form.CardID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.CardSimForm(views.CardSimPanelData{CardID: form.CardID, Form: form, Auths: auths, Result: result}))
}

// auditSimRefusal records a refused simulation; a failure to audit is
// logged, since the refusal's answer is already decided.
func (s *Server) auditSimRefusal(r *http.Request, req store.SimRequest, detail string) {
	if err := s.store.AuditSimRefusal(r.Context(), req, detail); err != nil {
		s.log.Error("audit", "trace_id", traceID(r), "err", err)
	}
}
