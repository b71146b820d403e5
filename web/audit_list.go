package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

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
		From: term("from"), To: term("to"), Errors: map[string]string{}}
	filter := store.AuditFilter{ActorContains: f.Actor, ActionPrefix: f.Action, TargetContains: f.Target}
	if f.From != "" {
		if t, ok := parseDateTimeLocal(f.From); ok {
			filter.From = t
		} else {
			f.Errors["from"] = "Could not read the start time " + strconv.Quote(f.From) + ": " + dateTimeHint + ". It was left out."
		}
	}
	if f.To != "" {
		if t, ok := parseDateTimeLocal(f.To); ok {
			// A time to the minute means to the end of that minute.
			filter.To = t.Add(time.Second - time.Millisecond)
			if len(f.To) == len("2006-01-02T15:04") {
				filter.To = t.Add(time.Minute - time.Millisecond)
			}
		} else {
			f.Errors["to"] = "Could not read the end time " + strconv.Quote(f.To) + ": " + dateTimeHint + ". It was left out."
		}
	}
	filter.BeforeID, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	filter.Limit = auditPageSize + 1
	entries, err := s.store.AuditLog(r.Context(), filter)
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

// dateTimeHint says, for people, how to write a time in a filter.
const dateTimeHint = "use a date and time like 2026-12-01 14:30 (UTC)"

// parseDateTimeLocal reads a datetime-local value ("2026-12-01T14:30",
// seconds optional) or the same with a space, in UTC.
func parseDateTimeLocal(s string) (time.Time, bool) {
	s = strings.Replace(s, " ", "T", 1)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
