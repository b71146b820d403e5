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
	due, err := e.store.DueOutbox(t.Context(), time.Now().Add(time.Hour), store.MaxBurst, nil)
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
