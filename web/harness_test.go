package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"cardops/store"
	"cardops/views"
)

// testPassword is every test user's password.
const testPassword = "correct horse battery"

// testEnv is a console over a fresh SQLite file with one user per level
// (viewer, operator, admin).
type testEnv struct {
	t      *testing.T
	store  *store.Store
	server *Server
	// setupAudit is the last audit row the set-up left (the users'
	// user.create rows): what a test did comes after it.
	setupAudit int64
}

// Options, if any, adjust the console's Config before it is built.
func newTestEnv(t *testing.T, options ...func(*Config)) *testEnv {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, filepath.Join(t.TempDir(), "cardops.db"), store.Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, u := range []store.NewUser{
		{Username: "viewer", Level: store.LevelReadOnly, Password: testPassword},
		{Username: "operator", Level: store.LevelOperational, Password: testPassword},
		{Username: "admin", Level: store.LevelAdmin, Password: testPassword},
	} {
		if _, err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user %s: %v", u.Username, err)
		}
	}
	cfg := Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, o := range options {
		o(&cfg)
	}
	srv, err := New(ctx, cfg)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	t.Cleanup(srv.Close)
	e := &testEnv{t: t, store: st, server: srv}
	e.setupAudit = e.lastAuditID(t)
	return e
}

// userFor names the test user at a level; level 0 is anonymous.
func userFor(level store.Level) string {
	return map[store.Level]string{1: "viewer", 2: "operator", 3: "admin"}[level]
}

// do sends one request through the real router.
func (e *testEnv) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.server.ServeHTTP(rec, req)
	return rec
}

// doStream sends a request for an event stream through the real router and
// ends the stream once it has flushed its first write: what a stream sends
// at its start (the rows it catches up and its ready state) goes out in that
// write, and a stream runs until its client goes away. A request the stream
// refuses or that never reaches it returns as do's does. The deadline is
// only a bound for a stream that never writes; it is not what ends one.
func (e *testEnv) doStream(req *http.Request) *httptest.ResponseRecorder {
	ctx, cancel := context.WithTimeout(req.Context(), 30*time.Second)
	defer cancel()
	rec := &cancelOnFlush{ResponseRecorder: httptest.NewRecorder(), cancel: cancel}
	e.server.ServeHTTP(rec, req.WithContext(ctx))
	return rec.ResponseRecorder
}

// cancelOnFlush is a recorder that cancels the request's context when the
// handler flushes, as a client that goes away after the first write.
type cancelOnFlush struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (c *cancelOnFlush) Flush() {
	c.ResponseRecorder.Flush()
	c.cancel()
}

// login signs in as username and returns the session cookie.
func (e *testEnv) login(username string) *http.Cookie {
	e.t.Helper()
	rec := e.do(formRequest(http.MethodPost, "/login", url.Values{"username": {username}, "password": {testPassword}}))
	if rec.Code != http.StatusSeeOther {
		e.t.Fatalf("login %s: status = %d, want %d; body: %s", username, rec.Code, http.StatusSeeOther, rec.Body.String())
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	e.t.Fatalf("login %s: no session cookie", username)
	return nil
}

func formRequest(method, target string, form url.Values) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// scenario is one HTTP exchange and what must come back (after PocketBase's
// ApiScenario).
type scenario struct {
	name    string
	method  string
	url     string
	form    url.Values
	body    string
	headers map[string]string
	// as is the level to sign in at before the request; 0 is anonymous.
	as store.Level
	// before runs first, e.g. to prepare data.
	before func(t *testing.T, e *testEnv)

	wantStatus      int
	wantContains    []string
	wantNotContains []string
	wantHeaders     map[string]string
	// wantAudit is the audit rows the request itself leaves, oldest first,
	// each "action result" (e.g. "card.freeze ok"). An audit row is this
	// console's side effect: a scenario that leaves any must name them all,
	// and nil means it must leave none.
	wantAudit []string
	// after checks state once the request is done.
	after func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder)
}

// said reports whether the scenario says anything about the body: what it
// contains, or where it redirects (a redirect's body is net/http's link).
func (sc scenario) said() bool {
	return len(sc.wantContains) > 0 || len(sc.wantNotContains) > 0 || sc.wantHeaders["Location"] != "" ||
		sc.wantHeaders["HX-Redirect"] != ""
}

// lastAuditID is the id of the newest audit row, 0 when none.
func (e *testEnv) lastAuditID(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := e.store.Reader().QueryRowContext(context.Background(), `SELECT COALESCE(max(id), 0) FROM audit_log`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// auditSince lists the audit rows after id as "action result", oldest first.
func (e *testEnv) auditSince(t *testing.T, id int64) []string {
	t.Helper()
	rows, err := e.store.Reader().QueryContext(context.Background(), `SELECT action, result FROM audit_log WHERE id > ? ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var action, result string
		if err := rows.Scan(&action, &result); err != nil {
			t.Fatal(err)
		}
		out = append(out, action+" "+result)
	}
	return out
}

func (sc scenario) run(t *testing.T, e *testEnv) *httptest.ResponseRecorder {
	t.Helper()
	if sc.before != nil {
		sc.before(t, e)
	}
	var req *http.Request
	switch {
	case sc.form != nil:
		req = formRequest(sc.method, sc.url, sc.form)
	default:
		req = httptest.NewRequest(sc.method, sc.url, strings.NewReader(sc.body))
	}
	for k, v := range sc.headers {
		req.Header.Set(k, v)
	}
	if sc.as != 0 {
		req.AddCookie(e.login(userFor(sc.as)))
	}
	auditFrom := e.lastAuditID(t)
	rec := e.do(req)
	if rec.Code != sc.wantStatus {
		t.Errorf("%s %s: status = %d, want %d; body: %.400s", sc.method, sc.url, rec.Code, sc.wantStatus, rec.Body.String())
	}
	body := rec.Body.String()
	if !sc.said() && body != "" {
		t.Errorf("scenario %q: expects no body (it names no content and no Location), got: %.300s", sc.name, body)
	}
	if got := e.auditSince(t, auditFrom); strings.Join(got, "\n") != strings.Join(sc.wantAudit, "\n") {
		t.Errorf("scenario %q: audit rows = %q, want %q", sc.name, got, sc.wantAudit)
	}
	for _, want := range sc.wantContains {
		if !strings.Contains(body, want) {
			t.Errorf("%s %s: body does not contain %q; body: %.600s", sc.method, sc.url, want, body)
		}
	}
	for _, bad := range sc.wantNotContains {
		if strings.Contains(body, bad) {
			t.Errorf("%s %s: body contains %q, want it absent", sc.method, sc.url, bad)
		}
	}
	for k, want := range sc.wantHeaders {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s %s: header %s = %q, want %q", sc.method, sc.url, k, got, want)
		}
	}
	if sc.after != nil {
		sc.after(t, e, rec)
	}
	return rec
}

// runScenarios runs each scenario on a fresh console.
func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			sc.run(t, newTestEnv(t))
		})
	}
}

// pageAt is a page model for a viewer at level, asking the real route table
// what they may do, for rendering a view on its own.
func pageAt(t *testing.T, level store.Level) views.Page {
	t.Helper()
	e := newTestEnv(t)
	return views.Page{Viewer: &views.Viewer{Username: "u", Level: level}, Can: func(pattern string) bool {
		l, ok := e.server.levels[pattern]
		return ok && level >= l
	}}
}

// auditEntriesSince returns the audit rows after id, oldest first, with
// every field.
func (e *testEnv) auditEntriesSince(t *testing.T, id int64) []store.AuditEntry {
	t.Helper()
	rows, err := e.store.AuditLog(context.Background(), store.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for i := len(rows) - 1; i >= 0; i-- {
		if rows[i].ID > id {
			out = append(out, rows[i])
		}
	}
	return out
}

// failAudit makes the database refuse every audit row of action with
// result, as a full disk or a broken log would: fault injection through
// SQLite itself, so a change and its audit row can be seen to commit
// together or not at all.
func (e *testEnv) failAudit(t *testing.T, action, result string) {
	t.Helper()
	if _, err := e.store.Writer().ExecContext(t.Context(), fmt.Sprintf(
		`CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log WHEN NEW.action = '%s' AND NEW.result = '%s'
		BEGIN SELECT RAISE(ABORT, 'audit refused'); END`, action, result)); err != nil {
		t.Fatal(err)
	}
}

// wantAuditEntry checks the one audit row of got against want, field by
// field (At and ID aside).
func wantAuditEntry(t *testing.T, got []store.AuditEntry, want store.AuditEntry) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("audit rows = %+v, want one", got)
	}
	g := got[0]
	g.ID, g.At = 0, time.Time{}
	if g != want {
		t.Errorf("audit row = %+v\nwant       %+v", g, want)
	}
}
