package web

import (
	"net/http"

	"cardops/store"
	"cardops/views"
)

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
		typed := func(field string) string {
			if field == "action" {
				return action
			}
			return form.Typed(field)
		}
		ed.Error = "Cannot open this notification: " + views.WordSimRefusal(se, typed).Message
	} else if err != nil {
		s.serverError(w, r, err)
		return
	} else {
		ed.Payload = views.PrettyJSON(res.Outbox.Body)
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
