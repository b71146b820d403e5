package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cardops/store"
)

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAnonymousValuesAreBounded: a 1 MB Origin, a long path and a 60 KiB
// username leave bounded audit rows and log lines, marked as cut.
func TestAnonymousValuesAreBounded(t *testing.T) {
	var logs syncBuffer
	e := newTestEnv(t, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })

	origin := "https://evil.example/" + strings.Repeat("o", 1<<20-len("https://evil.example/"))
	cross := formRequest(http.MethodPost, "/cards/"+strings.Repeat("p", 100<<10)+"/reissue", url.Values{"reason": {"LOST"}})
	cross.Header.Set("Origin", origin)
	cross.Header.Set("Sec-Fetch-Site", "cross-site")
	if rec := e.do(cross); rec.Code != http.StatusForbidden {
		t.Fatalf("cross-site post: status = %d, want 403", rec.Code)
	}
	username := strings.Repeat("u", 60<<10)
	if rec := e.do(formRequest(http.MethodPost, "/login", url.Values{"username": {username}, "password": {"a wrong password"}})); rec.Code != http.StatusUnauthorized {
		t.Fatalf("sign-in: status = %d, want 401", rec.Code)
	}

	rows := e.auditEntriesSince(t, e.setupAudit)
	if len(rows) != 2 {
		t.Fatalf("audit rows = %d, want 2: %+v", len(rows), rows)
	}
	for _, r := range rows {
		if len(r.TargetID) > store.AnonymousValueMax || len(r.Detail) > store.AnonymousValueMax+64 {
			t.Errorf("%s row: target %d bytes, detail %d bytes, want about %d at most", r.Action, len(r.TargetID), len(r.Detail), store.AnonymousValueMax)
		}
		if !strings.Contains(r.TargetID+r.Detail, "[cut, ") {
			t.Errorf("%s row does not say it was cut: %.300q %.300q", r.Action, r.TargetID, r.Detail)
		}
	}
	if !strings.Contains(rows[0].Detail, "[cut, 1048576 bytes]") { // oldest first: the cross-site post
		t.Errorf("cross-origin detail = %.300q, want the Origin cut and its length said", rows[0].Detail)
	}
	for line := range strings.Lines(logs.String()) {
		if len(line) > 2048 {
			t.Errorf("log line of %d bytes: %.200s", len(line), line)
		}
	}
}

// TestAnonymousAuditRowsAreRationed: a stream of refused cross-site posts
// from one address writes a bounded number of rows; the rest are counted
// in the next row written, and other addresses are still audited.
func TestAnonymousAuditRowsAreRationed(t *testing.T) {
	e := newTestEnv(t)
	now := time.Now()
	e.server.now = func() time.Time { return now }
	post := func(addr string) {
		t.Helper()
		req := formRequest(http.MethodPost, "/logout", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.RemoteAddr = addr
		if rec := e.do(req); rec.Code != http.StatusForbidden {
			t.Fatalf("status = %d, want 403", rec.Code)
		}
	}
	count := func() int {
		rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "request.cross_origin", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	const sent = 300
	for range sent {
		post("192.0.2.50:1000")
	}
	if n := count(); n > anonBurst {
		t.Errorf("%d refusals from one address wrote %d rows, want at most %d", sent, n, anonBurst)
	}
	post("192.0.2.51:1000")
	if n := count(); n != anonBurst+1 {
		t.Errorf("another address: rows = %d, want %d", n, anonBurst+1)
	}
	now = now.Add(time.Minute)
	post("192.0.2.50:1000")
	rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "request.cross_origin", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := "and 290 more refused anonymous request(s)"; len(rows) != 1 || !strings.Contains(rows[0].Detail, want) {
		t.Errorf("row after the pause = %+v, want a detail with %q", rows, want)
	}
}
