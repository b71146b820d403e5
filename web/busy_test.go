package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cardops/store/storetest"
)

// TestBusyDatabaseAnswers503 holds the database's write lock from another
// connection, as another process would: requests that must write answer 503
// with Retry-After within the (short) write timeout, as a page on console
// routes and in the JSON error format on JSON routes, instead of waiting.
func TestBusyDatabaseAnswers503(t *testing.T) {
	locked := func(t *testing.T, e *testEnv) {
		e.store.SetWriteTimeout(100 * time.Millisecond)
		storetest.HoldWriteLock(t, e.store)
	}
	for _, sc := range []scenario{
		{
			name: "sign-in while the database is locked", method: http.MethodPost, url: "/login",
			form:   url.Values{"username": {"viewer"}, "password": {testPassword}},
			before: locked, wantStatus: http.StatusServiceUnavailable,
			wantContains:    []string{"Busy, try again", "The database is busy, so this was not done."},
			wantNotContains: []string{"Something went wrong"},
			wantHeaders:     map[string]string{"Retry-After": "5", "Content-Type": "text/html; charset=utf-8"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				for _, c := range rec.Result().Cookies() {
					if c.Name == sessionCookie && c.Value != "" {
						t.Errorf("a session cookie was set although the session was not stored")
					}
				}
			},
		},
		{
			name: "webhook delivery while the database is locked", method: http.MethodPost, url: "/webhooks",
			body: notification("busy-1"), headers: providerHeaders(testWebhookKey, time.Now()),
			before: locked, wantStatus: http.StatusServiceUnavailable,
			wantContains: []string{`"code":"UNAVAILABLE"`, `"trace_id":"`},
			wantHeaders:  map[string]string{"Retry-After": "5", "Content-Type": "application/json"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if n := eventCount(t, e); n != 0 {
					t.Errorf("events stored = %d, want 0", n)
				}
			},
		},
		{
			name: "readiness while the database is locked", method: http.MethodGet, url: "/readyz",
			before: locked, wantStatus: http.StatusServiceUnavailable,
			wantContains: []string{`"code":"NOT_READY"`, "does not take writes"},
		},
		{
			name: "readiness", method: http.MethodGet, url: "/readyz",
			wantStatus: http.StatusOK, wantContains: []string{`"status":"ready"`},
		},
		{
			name: "the same webhook once the lock is released", method: http.MethodPost, url: "/webhooks",
			body: notification("busy-1"), headers: providerHeaders(testWebhookKey, time.Now()),
			before: func(t *testing.T, e *testEnv) {
				e.store.SetWriteTimeout(100 * time.Millisecond)
				storetest.HoldWriteLock(t, e.store)()
			},
			wantStatus: http.StatusOK, wantContains: []string{`"duplicate":false`},
		},
	} {
		t.Run(sc.name, func(t *testing.T) {
			e := newTestEnv(t, withWebhookCreds)
			done := make(chan struct{})
			go func() {
				defer close(done)
				sc.run(t, e)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("no answer within 30s")
			}
		})
	}
}

// TestBusyDatabaseSignedInReads: with the database locked, a signed-in
// person's pages still open; marking the session seen is left for later.
func TestBusyDatabaseSignedInReads(t *testing.T) {
	e := newTestEnv(t)
	cookie := e.login("operator")
	e.store.SetWriteTimeout(100 * time.Millisecond)
	// Past touchEvery, so this request would mark the session seen.
	e.store.SetClock(func() time.Time { return time.Now().Add(5 * time.Minute) })
	storetest.HoldWriteLock(t, e.store)
	req := httptest.NewRequest(http.MethodGet, "/cards", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusOK {
		t.Errorf("GET /cards under a held lock: status = %d, want %d; body: %.300s", rec.Code, http.StatusOK, rec.Body.String())
	}
}

// TestReadinessAfterFullDisk: once a delivery could not be stored because
// the database cannot grow (as on a full disk), /readyz answers 503 too.
func TestReadinessAfterFullDisk(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ready := func() int { return e.do(httptest.NewRequest(http.MethodGet, "/readyz", nil)).Code }
	if got := ready(); got != http.StatusOK {
		t.Fatalf("readyz before: status = %d, want %d", got, http.StatusOK)
	}
	if _, err := e.store.Writer().Exec("PRAGMA max_page_count = 1"); err != nil {
		t.Fatal(err)
	}
	body := `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"full-1","status":"PENDING","data":{"pad":"` +
		strings.Repeat("x", 200<<10) + `"}}`
	if rec := e.deliver(body, providerHeaders(testWebhookKey, time.Now())); rec.Code != http.StatusInternalServerError {
		t.Fatalf("delivery with no room: status = %d, want %d; body %s", rec.Code, http.StatusInternalServerError, rec.Body.String())
	}
	// A heartbeat written within readyWriteEvery stands for the next
	// check; past it, the check writes again.
	if got := ready(); got != http.StatusOK {
		t.Errorf("readyz within %s of its last write: status = %d, want %d", readyWriteEvery, got, http.StatusOK)
	}
	later := time.Now().Add(readyWriteEvery)
	e.server.now = func() time.Time { return later }
	if got := ready(); got != http.StatusServiceUnavailable {
		t.Errorf("readyz after a failed write: status = %d, want %d", got, http.StatusServiceUnavailable)
	}
}

// TestReadinessWritesAtMostOncePerInterval: /readyz needs no sign-in, so
// however often it is asked it writes its heartbeat once per
// readyWriteEvery.
func TestReadinessWritesAtMostOncePerInterval(t *testing.T) {
	e := newTestEnv(t)
	now := time.Now()
	e.server.now = func() time.Time { return now }
	heartbeats := func() int64 {
		var n int64
		if err := e.store.Writer().QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ready := func() {
		if rec := e.do(httptest.NewRequest(http.MethodGet, "/readyz", nil)); rec.Code != http.StatusOK {
			t.Fatalf("readyz: status %d", rec.Code)
		}
	}
	ready()
	before := heartbeats()
	for range 50 {
		ready()
	}
	if got := heartbeats(); got != before {
		t.Errorf("50 checks within %s wrote %d rows, want none", readyWriteEvery, got-before)
	}
	now = now.Add(readyWriteEvery)
	ready()
	if got := heartbeats(); got == before {
		t.Error("a check past the interval did not write")
	}
	// A burst of checks at once past the interval writes once.
	now = now.Add(readyWriteEvery)
	before = heartbeats()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { e.do(httptest.NewRequest(http.MethodGet, "/readyz", nil)) })
	}
	wg.Wait()
	if got := heartbeats(); got-before != 1 {
		t.Errorf("20 checks at once wrote %d rows, want 1", got-before)
	}
}
