package web

import (
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

const auditPageSize = 100

// auditList shows the audit log, newest first, filtered by the start of the
// action, part of the actor or target and a time range.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	term := func(name string) string { return store.CutRunes(strings.TrimSpace(q.Get(name)), store.MaxAuditSearch) }
	f := views.AuditFilterForm{Actor: term("actor"), Action: term("action"), Target: term("target"),
		From: term("from"), To: term("to")}
	filter := store.AuditFilter{ActorContains: f.Actor, ActionPrefix: f.Action, TargetContains: f.Target}
	filter.From, filter.To, f.Errors = parseFilterRange(f.From, f.To)
	filter.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	filter.Limit = auditPageSize + 1
	entries, err := s.store.AuditLog(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.AuditPageData{Filter: f, Entries: entries, Before: filter.BeforeID}
	if len(entries) > auditPageSize {
		d.Entries = entries[:auditPageSize]
		d.NextBefore = d.Entries[auditPageSize-1].ID
	}
	s.render(w, r, http.StatusOK, views.AuditPage(s.page(r, "Audit log", "/audit"), d))
}
