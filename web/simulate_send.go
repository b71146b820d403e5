package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

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
		ed.Error, status = views.WordSimRefusal(se, r.PostForm.Get).Message, http.StatusUnprocessableEntity
		s.audit(r, currentPrincipal(r), store.AuditSimulateEdited, "outbox", "", store.ResultRefused, ed.Error)
	} else if err != nil {
		s.serverError(w, r, err)
		return
	} else {
		s.wakeDispatcher()
		msg := "Sent as written."
		if m.Broken() {
			msg = "Sent deliberately broken (" + m.Mode + "): the receiver should refuse it."
		}
		ed.Result = &views.SimOutcome{OK: true, Message: msg, Outbox: m, Target: s.deliveryTarget()}
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
