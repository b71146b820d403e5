package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cardops/store"
)

var burstBy = store.SimActor{Name: "operator", Level: store.LevelOperational}

// queueBurst queues a burst of n, as the Burst button does.
func queueBurst(n int) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		t.Helper()
		if _, err := e.store.EnqueueBurst(t.Context(), n, "", burstBy); err != nil {
			t.Fatal(err)
		}
	}
}

// deliverAll records a delivered attempt for every pending row, as the
// dispatcher does once the receiver takes them.
func deliverAll(t *testing.T, e *testEnv) {
	t.Helper()
	deliverFirst(store.MaxBurst)(t, e)
}

// TestSimulateBurstOneAtATime: a burst is refused, in words, while another
// is being delivered (the console then follows that one); once it is done
// the next is queued.
func TestSimulateBurstOneAtATime(t *testing.T) {
	operator := store.LevelOperational
	runScenarios(t, []scenario{
		{
			name: "a burst while another is delivered is refused and the page follows that one", method: "POST", url: "/simulate/burst", as: operator,
			before: queueBurst(40), headers: simHTMX, form: url.Values{"n": {"25"}},
			wantStatus: http.StatusOK,
			wantContains: []string{`data-testid="sim-result"`, "Burst #1 is still being delivered (40 of 40 notifications pending)",
				`hx-get="/simulate/bursts/1"`, "Burst #1: 0 of 40 delivered"},
			wantNotContains: []string{"Burst #2"},
			wantAudit:       []string{"simulate.burst refused"},
			after:           simWantOutbox(40),
		},
		{
			name: "without htmx the refusal is a readable page", method: "POST", url: "/simulate/burst", as: operator,
			before: queueBurst(40), form: url.Values{"n": {"25"}},
			wantStatus:   http.StatusPreconditionFailed,
			wantContains: []string{"Burst refused", "Burst #1 is still being delivered (40 of 40 notifications pending)"},
			wantAudit:    []string{"simulate.burst refused"},
			after:        simWantOutbox(40),
		},
		{
			name: "a burst after the last one is done is queued", method: "POST", url: "/simulate/burst", as: operator,
			before: func(t *testing.T, e *testEnv) {
				queueBurst(40)(t, e)
				deliverAll(t, e)
			},
			headers: simHTMX, form: url.Values{"n": {"25"}},
			wantStatus: http.StatusOK, wantContains: []string{"Burst #2: 0 of 25 delivered"},
			wantAudit: []string{"simulate.burst ok"},
			after:     simWantOutbox(65),
		},
	})
}

// TestSimulateBurstsAtOnce: of bursts asked for at the same moment, one is
// queued and the others refused.
func TestSimulateBurstsAtOnce(t *testing.T) {
	e := newTestEnv(t)
	cookie := e.login("operator")
	const asks = 6
	recs := make([]*httptest.ResponseRecorder, asks)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range asks {
		wg.Go(func() {
			<-start
			req := formRequest(http.MethodPost, "/simulate/burst", url.Values{"n": {"30"}})
			req.Header.Set("HX-Request", "true")
			req.AddCookie(cookie)
			recs[i] = e.do(req)
		})
	}
	auditFrom := e.lastAuditID(t)
	close(start)
	wg.Wait()
	queued := 0
	for i, rec := range recs {
		if rec.Code != http.StatusOK {
			t.Errorf("ask %d: status = %d, want 200", i, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "Burst #1: 0 of 30 delivered") && !strings.Contains(rec.Body.String(), "is still being delivered") {
			queued++
		}
	}
	if queued != 1 {
		t.Errorf("%d bursts queued, want 1", queued)
	}
	ok, refused := 0, 0
	for _, row := range e.auditSince(t, auditFrom) {
		switch row {
		case "simulate.burst ok":
			ok++
		case "simulate.burst refused":
			refused++
		}
	}
	if ok != 1 || refused != asks-1 {
		t.Errorf("audit: %d ok, %d refused; want 1 and %d", ok, refused, asks-1)
	}
	if got := simOutboxCount(t, e); got != 30 {
		t.Errorf("outbox rows = %d, want 30", got)
	}
}

// pruneBursts queues a burst of n, delivers it and deletes its rows, as the
// burst retention does BurstRowsKeep after.
func pruneBursts(n int) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		t.Helper()
		queueBurst(n)(t, e)
		deliverAll(t, e)
		if got, err := e.store.PruneBurstRows(t.Context(), time.Now().Add(time.Hour)); err != nil || got != n {
			t.Fatalf("pruned %d rows, %v; want %d", got, err, n)
		}
	}
}

// TestSimulateBurstAfterItsRowsAreDeleted: once a done burst's delivered
// rows are deleted, its progress still counts them, and a link to one of
// them says why it is gone.
func TestSimulateBurstAfterItsRowsAreDeleted(t *testing.T) {
	operator := store.LevelOperational
	runScenarios(t, []scenario{
		{
			name: "the progress still counts the deleted rows", method: "GET", url: "/simulate/bursts/1", as: operator,
			before: pruneBursts(40), headers: simHTMX, wantStatus: http.StatusOK,
			wantContains: []string{"Burst #1: 40 of 40 delivered", "— done."}, wantNotContains: []string{"hx-trigger"},
			after: simWantOutbox(0),
		},
		{
			name: "a deleted row's page says why it is gone", method: "GET", url: "/simulate/deliveries/1", as: operator,
			before: pruneBursts(40), wantStatus: http.StatusNotFound,
			wantContains: []string{"There is no delivery #", "deleted 24 hours after their delivery"},
		},
		{
			name: "a new burst is queued after it", method: "POST", url: "/simulate/burst", as: operator,
			before: pruneBursts(40), headers: simHTMX, form: url.Values{"n": {"5"}},
			wantStatus: http.StatusOK, wantContains: []string{"Burst #2: 0 of 5 delivered"},
			wantAudit: []string{"simulate.burst ok"}, after: simWantOutbox(5),
		},
	})
}

// deliverFirst records a delivered attempt for the first n pending rows, as
// the dispatcher does while a burst goes out.
func deliverFirst(n int) func(*testing.T, *testEnv) {
	return func(t *testing.T, e *testEnv) {
		t.Helper()
		due, err := e.store.DueOutbox(t.Context(), time.Now().Add(time.Hour), n, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UnixMilli()
		var results []store.AttemptResult
		for _, m := range due {
			results = append(results, store.AttemptResult{State: store.OutboxDelivered,
				Attempt: store.OutboxAttempt{OutboxID: m.ID, Target: "http://receiver", StartedAt: now, DurationMs: 1, HTTPStatus: 200}})
		}
		if err := e.store.RecordAttempts(t.Context(), results); err != nil {
			t.Fatal(err)
		}
	}
}

func stopBurst(t *testing.T, e *testEnv) {
	t.Helper()
	if _, err := e.store.StopBurst(t.Context(), 1, burstBy); err != nil {
		t.Fatal(err)
	}
}

// stopAt has the store's clock read 2026-12-03 10:04:05 UTC from now on,
// the time a stop is noted at.
func stopAt(e *testEnv) {
	at := time.Date(2026, 12, 3, 10, 4, 5, 0, time.UTC)
	e.store.SetClock(func() time.Time { return at })
}

// TestSimulateBurstStop: a burst a receiver never takes can be stopped from
// its progress: what it has not sent is dropped, the count stays right, and
// the next burst can start. A done or unknown burst is refused in words,
// and a viewer not at all.
func TestSimulateBurstStop(t *testing.T) {
	operator := store.LevelOperational
	runScenarios(t, []scenario{
		{
			name: "a burst being delivered offers to stop it", method: "GET", url: "/simulate/bursts/1", as: operator,
			before: queueBurst(40), headers: simHTMX, wantStatus: http.StatusOK,
			wantContains: []string{"Burst #1: 0 of 40 delivered", `hx-post="/simulate/bursts/1/stop"`, "Stop sending"},
		},
		{
			name: "a done burst does not", method: "GET", url: "/simulate/bursts/1", as: operator,
			before: func(t *testing.T, e *testEnv) { queueBurst(40)(t, e); deliverAll(t, e) }, headers: simHTMX, wantStatus: http.StatusOK,
			wantContains: []string{"— done."}, wantNotContains: []string{"Stop sending", "/stop"},
		},
		{
			name: "stopping drops what was not sent and keeps what was", method: "POST", url: "/simulate/bursts/1/stop", as: operator,
			before: func(t *testing.T, e *testEnv) { queueBurst(40)(t, e); deliverFirst(10)(t, e); stopAt(e) }, headers: simHTMX,
			wantStatus: http.StatusOK,
			wantContains: []string{"Burst #1: 10 of 40 delivered, 30 not sent (stopped by operator at 2026-12-03 10:04:05 UTC) — done.",
				`value="40"`},
			wantNotContains: []string{"hx-trigger", "Stop sending"},
			wantAudit:       []string{"simulate.burst_stop ok"},
			after: simAll(simWantOutbox(10), func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				rows, _ := e.store.AuditLog(t.Context(), store.AuditFilter{Action: store.AuditSimulateBurstStop})
				if len(rows) != 1 || rows[0].Actor != "operator" || rows[0].TargetID != "1" || rows[0].Detail != "30 of 40 notifications not sent" {
					t.Errorf("audit = %+v", rows)
				}
			}),
		},
		{
			name: "without htmx it goes back to the burst's page", method: "POST", url: "/simulate/bursts/1/stop", as: operator,
			before: queueBurst(40), wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/simulate/bursts/1"},
			wantAudit:   []string{"simulate.burst_stop ok"}, after: simWantOutbox(0),
		},
		{
			name: "the next burst starts once the last is stopped", method: "POST", url: "/simulate/burst", as: operator,
			before: func(t *testing.T, e *testEnv) { queueBurst(40)(t, e); stopBurst(t, e) }, headers: simHTMX, form: url.Values{"n": {"5"}},
			wantStatus: http.StatusOK, wantContains: []string{"Burst #2: 0 of 5 delivered"},
			wantAudit: []string{"simulate.burst ok"}, after: simWantOutbox(5),
		},
		{
			name: "a stopped burst still reads right", method: "GET", url: "/simulate/bursts/1", as: operator,
			before: func(t *testing.T, e *testEnv) { queueBurst(40)(t, e); stopAt(e); stopBurst(t, e) }, headers: simHTMX,
			wantStatus: http.StatusOK, wantContains: []string{"Burst #1: 0 of 40 delivered, 40 not sent (stopped by operator at 2026-12-03 10:04:05 UTC) — done."},
		},
		{
			name: "a done burst has nothing to stop", method: "POST", url: "/simulate/bursts/1/stop", as: operator,
			before: func(t *testing.T, e *testEnv) { queueBurst(40)(t, e); deliverAll(t, e) }, headers: simHTMX,
			wantStatus:   http.StatusOK,
			wantContains: []string{`data-testid="sim-result"`, "Burst #1 has nothing left to send", "Burst #1: 40 of 40 delivered — done."},
			wantAudit:    []string{"simulate.burst_stop refused"}, after: simWantOutbox(40),
		},
		{
			name: "without htmx that is a readable page", method: "POST", url: "/simulate/bursts/1/stop", as: operator,
			before:       func(t *testing.T, e *testEnv) { queueBurst(40)(t, e); deliverAll(t, e) },
			wantStatus:   http.StatusPreconditionFailed,
			wantContains: []string{"Burst not stopped", "Burst #1 has nothing left to send", `href="/simulate/bursts/1"`},
			wantAudit:    []string{"simulate.burst_stop refused"},
		},
		{
			name: "an unknown burst", method: "POST", url: "/simulate/bursts/9/stop", as: operator,
			wantStatus: http.StatusNotFound, wantContains: []string{"There is no burst #9."},
			wantAudit: []string{"simulate.burst_stop refused"},
		},
		{
			name: "a viewer may not stop one", method: "POST", url: "/simulate/bursts/1/stop", as: store.LevelReadOnly,
			before: queueBurst(40), wantStatus: http.StatusForbidden, wantContains: []string{"needs level 2"},
			wantAudit: []string{"access.denied refused"}, after: simWantOutbox(40),
		},
	})
}
