package web

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"cardops/store"
)

// middleware wraps the mux with what every request passes through, outermost
// first: the client's address and scheme (proxy.go), trace id and the
// request log line, compression, panic recovery, security headers, and
// protection against cross-site form posts.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	// Machine and API routes are called by other systems, not a browser,
	// with their own credentials (a key, a signature) and no cookie, so a
	// cross-site form cannot use them.
	for _, rt := range s.routes() {
		if rt.kind == kindMachine || rt.kind == kindAPI {
			cop.AddInsecureBypassPattern(rt.pattern)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginRefused))
	return s.writeDeadline(s.resolveClient(s.logRequests(compress(s.recoverPanics(securityHeaders(cop.Handler(next)))))))
}

type ctxKey int

const (
	traceKey ctxKey = iota
	principalKey
	clientKey
)

// traceID returns the request's trace id, which its log line, its error
// pages and JSON errors all carry.
func traceID(r *http.Request) string {
	id, _ := r.Context().Value(traceKey).(string)
	return id
}

func newTraceID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter records the status and size of a response for the log line.
// It unwraps so http.ResponseController can reach Flush for event streams.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush lets event streams flush through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack is passed through for completeness.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// logRequests writes one line per request: method, path (never the query,
// which can carry personal data; cut to store.AnonymousValueMax), status,
// duration, who, trace id.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newTraceID()
		w.Header().Set("X-Trace-Id", id)
		ctx := context.WithValue(r.Context(), traceKey, id)
		// The guard fills this in, so the log line can name the user.
		holder := &principalHolder{}
		ctx = context.WithValue(ctx, principalKey, holder)
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", store.Cut(r.Method, 32)),
			slog.String("path", logPath(r)),
			slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)),
			slog.Int64("bytes", sw.bytes),
			slog.String("remote", remoteAddr(r)),
			slog.String("trace_id", id),
		}
		if p := holder.p; p != nil {
			attrs = append(attrs, slog.String("user", p.Username))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serverError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only the console's own scripts, styles and
// connections, and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if isHTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// guard enforces the route's level on the server: anonymous visitors of a
// guarded page go to sign-in (JSON routes answer 401), signed-in users below
// the level get 403. It is the one place levels are checked, so no handler
// can forget it.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		holder, _ := r.Context().Value(principalKey).(*principalHolder)
		setRouteKind(r, rt.kind)
		if rt.level == store.LevelPublic {
			rt.handle(w, r)
			return
		}
		p, err := s.principal(r)
		switch {
		case errors.Is(err, store.ErrSessionExpired), errors.Is(err, errNoSession):
			s.signInRequired(w, r, rt, errors.Is(err, store.ErrSessionExpired))
			return
		case err != nil:
			s.serverError(w, r, err)
			return
		}
		if holder != nil {
			holder.p = p
		}
		if r.Method == http.MethodGet {
			// Signed-in pages carry personal data: after sign-out the back
			// button must fetch them again (and be sent to sign-in), not
			// show them from the browser's cache.
			w.Header().Set("Cache-Control", "no-store")
		}
		if to := s.setupFirst(p); to != "" && !rt.setup {
			// Choosing one's own password, then enrolling in two-factor
			// sign-in, comes before anything else.
			if rt.kind.json() {
				s.jsonError(w, r, http.StatusForbidden, "SETUP_REQUIRED", "Finish setting up your account first: open "+to+".")
				return
			}
			s.redirect(w, r, to)
			return
		}
		if p.Level < rt.level {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				s.audit(r, p, store.AuditAccessDenied, "route", rt.pattern, store.ResultRefused,
					fmt.Sprintf("needs level %d, has %d", rt.level, p.Level))
			}
			msg := fmt.Sprintf("This needs level %d (%s); you are signed in at level %d (%s).",
				rt.level.Int(), rt.level, p.Level.Int(), p.Level)
			if rt.kind.json() {
				s.jsonError(w, r, http.StatusForbidden, "FORBIDDEN", msg)
				return
			}
			s.errorPage(w, r, http.StatusForbidden, "Not allowed", msg)
			return
		}
		if rt.stream {
			release, ok := s.streams.take(p.UserID)
			if !ok {
				s.jsonError(w, r, http.StatusTooManyRequests, "TOO_MANY_STREAMS", fmt.Sprintf(
					"You have %d live pages open already; close some tabs and reload this one.", maxStreamsPerUser))
				return
			}
			defer release()
		}
		rt.handle(w, r)
	})
}

// setupFirst returns the page the person must complete before any other:
// the change of a password someone else set, then two-factor enrolment
// when their level requires it; "" when none.
func (s *Server) setupFirst(p *Principal) string {
	switch {
	case p.MustChangePassword:
		return "/account/password"
	case s.require2FA > 0 && p.Level >= s.require2FA && !p.TwoFactor:
		return "/account/2fa"
	}
	return ""
}

// redirect sends the browser to target with 303, or tells htmx to
// navigate there.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, target string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", target)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// signInRequired answers an anonymous request for a guarded route.
func (s *Server) signInRequired(w http.ResponseWriter, r *http.Request, rt route, expired bool) {
	if rt.kind.json() {
		s.jsonError(w, r, http.StatusUnauthorized, "UNAUTHORIZED", "Sign in first: this endpoint needs a session.")
		return
	}
	next := ""
	if r.Method == http.MethodGet {
		next = maskCardNumbers(r.URL)
	}
	// A fragment or an action of a page: after signing in, the person goes
	// back to the page (htmx names it), not to the fragment.
	if u, err := url.Parse(r.Header.Get("HX-Current-URL")); isHTMX(r) && err == nil && u.Path != "" {
		next = maskCardNumbers(u)
	}
	target := loginURL(next, expired)
	if isHTMX(r) {
		// htmx would swap a followed redirect into the page; tell it to
		// navigate instead.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// maskCardNumbers returns u's request URI with every query value that is a
// full card number masked, so a sign-in redirect never carries one.
func maskCardNumbers(u *url.URL) string {
	q := u.Query()
	changed := false
	for _, vs := range q {
		for i, v := range vs {
			if cq := store.ParseCardQuery(v); cq.Has(store.SearchPAN) {
				vs[i], changed = cq.Raw, true
			}
		}
	}
	if !changed {
		return u.RequestURI()
	}
	c := *u
	c.RawQuery = q.Encode()
	return c.RequestURI()
}

func loginURL(next string, expired bool) string {
	q := url.Values{}
	if next != "" && next != "/" {
		q.Set("next", next)
	}
	if expired {
		q.Set("expired", "1")
	}
	if len(q) == 0 {
		return "/login"
	}
	return "/login?" + q.Encode()
}

// crossOriginRefused answers a cross-site post. The request may come from
// anyone, so what it says (method, path, Origin) is cut before it is
// audited, and rows are rationed per address (auditAnonymous).
func (s *Server) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	s.auditAnonymous(r, store.AuditCrossOrigin, "route", store.Cut(r.Method+" "+r.URL.Path, store.AnonymousValueMax),
		"origin "+store.Cut(r.Header.Get("Origin"), store.AnonymousValueMax))
	s.errorPage(w, r, http.StatusForbidden, "Request refused",
		"This form was sent from another site, so it was refused and nothing changed. Open the console directly and try again.")
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// remoteAddr is the client's IP address: the peer's, or the one a trusted
// proxy forwarded (see resolveClient).
func remoteAddr(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey).(client); ok {
		return c.addr
	}
	return peerAddr(r)
}
