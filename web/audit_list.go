package web

import (
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

const auditPageSize = 100

// auditList shows the audit log, newest first, filtered by actor and action.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := views.AuditFilterForm{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action"))}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	entries, err := s.store.AuditLog(r.Context(), store.AuditFilter{
		Actor: f.Actor, Action: f.Action, BeforeID: before, Limit: auditPageSize + 1,
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.AuditPageData{Filter: f, Entries: entries}
	if len(entries) > auditPageSize {
		d.Entries = entries[:auditPageSize]
		d.NextBefore = d.Entries[auditPageSize-1].ID
	}
	s.render(w, r, http.StatusOK, views.AuditPage(s.page(r, "Audit log", "/audit"), d))
}
