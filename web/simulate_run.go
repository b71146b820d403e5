package web

import (
	"net/http"
	"net/url"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateRun runs one simulation action from the Simulate page (POST
// /simulate/{action}); preview, send and burst are the payload editor's and
// the burst's actions on the same route.
func (s *Server) simulateRun(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	switch action {
	case "preview":
		s.simulatePreview(w, r)
		return
	case "send":
		s.simulateSend(w, r)
		return
	case "burst":
		s.simulateBurst(w, r)
		return
	}
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
		s.auditSimRefusal(r, req, se)
		d, derr := s.simPageData(r.Context(), form)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		if se.Field != "" {
			d.Form.Errors[se.Field] = se.Message
		}
		d.Result = &views.SimOutcome{Message: se.Message}
		if isHTMX(r) {
			// htmx swaps only 2xx answers: the form comes back with its
			// field error.
			s.render(w, r, http.StatusOK, views.SimActionPanel(d))
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
		d.Result = &views.SimOutcome{OK: true, Message: res.Summary, Outbox: res.Outbox, Target: s.simTarget}
		s.render(w, r, http.StatusOK, views.SimActionPanel(d))
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

// simulatePreview opens, in the payload editor, the notification an action
// would send now; nothing is changed.
func (s *Server) simulatePreview(w http.ResponseWriter, r *http.Request) {
	form, err := parseSimForm(w, r)
	if err != nil {
		s.badSimForm(w, r, err)
		return
	}
	action := r.PostForm.Get("preview_action")
	ed := views.SimEditor{Action: action, Mode: store.ModeNormal}
	res, err := s.store.PreviewSimulation(r.Context(), simRequest(r, action, form))
	if se := simRefusal(err); se != nil {
		ed.Error = "Cannot open this notification: " + se.Message
	} else if err != nil {
		s.serverError(w, r, err)
		return
	} else {
		ed.Payload = simPrettyJSON(res.Outbox.Body)
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.SimEditorBox(ed))
		return
	}
	d, err := s.simPageData(r.Context(), form)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Editor = ed
	s.render(w, r, http.StatusOK, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
}

// simulateSend sends the payload editor's notification as written, in the
// chosen delivery mode.
func (s *Server) simulateSend(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSimForm)
	if err := r.ParseForm(); err != nil {
		s.badSimForm(w, r, err)
		return
	}
	ed := views.SimEditor{Payload: r.PostForm.Get("payload"), Mode: r.PostForm.Get("mode")}
	if ed.Mode == "" {
		ed.Mode = store.ModeNormal
	}
	by := simActor(r)
	m, err := s.store.EnqueueEdited(r.Context(), []byte(ed.Payload), ed.Mode, by)
	status := http.StatusOK
	if se := simRefusal(err); se != nil {
		s.audit(r, currentPrincipal(r), "simulate.edited", "outbox", "", store.ResultRefused, se.Message)
		ed.Error, status = se.Message, http.StatusUnprocessableEntity
	} else if err != nil {
		s.serverError(w, r, err)
		return
	} else {
		s.wakeDispatcher()
		msg := "Sent as written."
		if m.Broken() {
			msg = "Sent deliberately broken (" + m.Mode + "): the receiver should refuse it."
		}
		ed.Result = &views.SimOutcome{OK: true, Message: msg, Outbox: m, Target: s.simTarget}
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.SimEditorBox(ed))
		return
	}
	d, err := s.simPageData(r.Context(), views.SimForm{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Editor = ed
	s.render(w, r, status, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
}

// simulateBurst enqueues a burst and shows its progress.
func (s *Server) simulateBurst(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.badSimForm(w, r, err)
		return
	}
	raw := r.PostForm.Get("n")
	n, err := strconv.Atoi(raw)
	if err != nil {
		n = -1
	}
	b, err := s.store.EnqueueBurst(r.Context(), n, r.PostForm.Get("card"), simActor(r))
	if se := simRefusal(err); se != nil {
		s.audit(r, currentPrincipal(r), "simulate.burst", "burst", "", store.ResultRefused, se.Message)
		msg := se.Message
		if n == -1 {
			msg = "The number of notifications " + strconv.Quote(raw) + " is not a whole number between 1 and 10000."
		}
		if isHTMX(r) {
			s.render(w, r, http.StatusOK, views.SimResultBox(views.SimOutcome{Message: msg}))
			return
		}
		s.errorPage(w, r, simRefusalStatus(se), "Burst refused", msg)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.wakeDispatcher()
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.SimBurstProgress(b))
		return
	}
	http.Redirect(w, r, "/simulate?burst="+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
}
