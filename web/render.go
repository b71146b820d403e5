package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"cardops/store"
	"cardops/views"
)

// page returns the layout model for this request.
func (s *Server) page(r *http.Request, title, active string) views.Page {
	p := views.Page{Title: title, Active: active, StaticVersion: s.staticVersion}
	if pr := currentPrincipal(r); pr != nil {
		p.Viewer = &views.Viewer{Username: pr.Username, Level: pr.Level}
		p.Can = func(pattern string) bool { return s.allowed(r, pattern) }
	}
	return p
}

// render writes a templ component with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.log.Error("render", "path", logPath(r), "trace_id", traceID(r), "err", err)
	}
}

// errorPage answers with a readable page, or just the message box for htmx
// requests (with a retarget so it shows where the person is looking).
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	s.refusal(w, r, views.ErrorInfo{Status: status, Title: title, Message: message}, "")
}

// errorPageBack is errorPage with the way back to where the person was
// going (link, labelled label) instead of the card search; active is the
// navigation item to highlight.
func (s *Server) errorPageBack(w http.ResponseWriter, r *http.Request, status int, title, message, link, label, active string) {
	s.refusal(w, r, views.ErrorInfo{Status: status, Title: title, Message: message, Link: link, LinkLabel: label}, active)
}

// refusal renders info like errorPage, with the trace id filled in and, when
// info names no way onwards, a link back to the card search; active is the
// navigation item to highlight.
func (s *Server) refusal(w http.ResponseWriter, r *http.Request, info views.ErrorInfo, active string) {
	info.TraceID = traceID(r)
	// A refusal often names what was asked for (a path, an id): a card
	// number typed there is not shown back.
	info.Title, info.Message = store.MaskCardNumbers(info.Title), store.MaskCardNumbers(info.Message)
	if info.Link == "" {
		info.Link, info.LinkLabel = "/cards", "Back to the card search"
	}
	if isHTMX(r) {
		// htmx does not swap error responses by default; these headers make
		// it show the refusal instead of silently doing nothing.
		w.Header().Set("HX-Retarget", "main")
		w.Header().Set("HX-Reswap", "innerHTML")
		s.render(w, r, info.Status, views.ErrorBox(info))
		return
	}
	s.render(w, r, info.Status, views.ErrorPage(s.page(r, info.Title, active), info))
}

// serverError logs err once, with the trace id, and answers 500 without
// leaking its text.
// A database that takes no write in time (store.ErrBusy) is answered 503
// with Retry-After. JSON routes get the JSON error format.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrBusy) {
		s.log.Warn("request failed: database busy", "method", store.Cut(r.Method, 32), "path", logPath(r), "trace_id", traceID(r), "err", err)
		s.unavailable(w, r)
		return
	}
	s.log.Error("request failed", "method", store.Cut(r.Method, 32), "path", logPath(r), "trace_id", traceID(r), "err", err)
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if routeKind(r).json() {
		s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The server could not complete this request. Quote the trace id if you report it.")
		return
	}
	s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong",
		"The server could not complete this request. Nothing was changed unless a message said so. Quote the trace id if you report it.")
}

// busyRetryAfter is the Retry-After (seconds) of a 503 for a busy database.
const busyRetryAfter = "5"

// unavailable answers 503 with Retry-After: the database took no write
// within the write timeout, so the request was not done.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", busyRetryAfter)
	if routeKind(r).json() {
		s.jsonError(w, r, http.StatusServiceUnavailable, "UNAVAILABLE",
			"The database is busy, so this was not done; retry in "+busyRetryAfter+" seconds.")
		return
	}
	s.errorPage(w, r, http.StatusServiceUnavailable, "Busy, try again",
		"The database is busy, so this was not done. Try again in a few seconds.")
}

// unknownPath answers a path no route serves, or a method no route takes
// there (405 with Allow). It sits outside the guard, so
// it reads the session itself: a signed-in person gets the page in the
// usual layout, with the navigation and their name.
func (s *Server) unknownPath(w http.ResponseWriter, r *http.Request) {
	if holder, ok := r.Context().Value(principalKey).(*principalHolder); ok && holder.p == nil {
		if p, err := s.principal(r); err == nil && s.setupFirst(p) == "" {
			holder.p = p
			w.Header().Set("Cache-Control", "no-store")
		}
	}
	// A page or stream asked for with another method than it takes: say
	// so, as the JSON paths do, rather than that there is no page.
	if allow := s.methods.allow(r); len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.errorPage(w, r, http.StatusMethodNotAllowed, "Wrong method",
			"The address "+r.URL.Path+" is there, but takes only "+strings.Join(allow, ", ")+".")
		return
	}
	s.notFound(w, r)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "Not found", "There is no page at "+r.URL.Path+".")
}

// jsonErrorBody is the provider's error format.
type jsonErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	TraceID string `json:"trace_id"`
}

// jsonError answers a JSON endpoint's refusal in the provider's format.
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	writeJSON(w, status, jsonErrorBody{Code: code, Message: store.MaskCardNumbers(message), TraceID: traceID(r)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// audit appends to the audit log on behalf of p (nil for anonymous). A
// failure to audit is logged: the request's own answer has been decided.
func (s *Server) audit(r *http.Request, p *Principal, action, targetType, targetID, result, detail string) {
	e := store.AuditEntry{
		Actor: "anonymous", RemoteAddr: remoteAddr(r), Action: action,
		TargetType: targetType, TargetID: targetID, Result: result, Detail: detail,
	}
	if p != nil {
		e.Actor, e.ActorLevel = p.Username, p.Level
	} else {
		// Bounded whatever the caller did: anyone can send these.
		e.TargetID, e.Detail = store.Cut(targetID, store.AnonymousValueMax), store.Cut(detail, 4*store.AnonymousValueMax)
	}
	if err := s.store.Audit(r.Context(), e); err != nil {
		s.log.Error("audit", "action", action, "trace_id", traceID(r), "err", err)
	}
}

// logPath is the request's path as a log line may hold it: bounded, and
// with anything that could be a card number redacted (a number pasted
// where an id belongs would otherwise reach the log).
func logPath(r *http.Request) string {
	return store.Cut(store.RedactCardNumbers(r.URL.Path), store.AnonymousValueMax)
}
