package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// deliverRows records a delivered attempt at at for the pending rows that
// keep says to deliver.
func deliverRows(t *testing.T, st *Store, at time.Time, keep func(OutboxMessage) bool) {
	t.Helper()
	ctx := context.Background()
	due, err := st.DueOutbox(ctx, at.Add(1000*time.Hour), 2*MaxBurst, nil)
	if err != nil {
		t.Fatal(err)
	}
	var results []AttemptResult
	for _, m := range due {
		if keep(m) {
			results = append(results, AttemptResult{State: OutboxDelivered,
				Attempt: OutboxAttempt{OutboxID: m.ID, Target: "http://receiver", StartedAt: at.UnixMilli(), DurationMs: 3, HTTPStatus: 200}})
		}
	}
	if err := st.RecordAttempts(ctx, results); err != nil {
		t.Fatal(err)
	}
}

// TestPruneBurstRows deletes the rows of done bursts delivered before the
// cutoff, with their attempts, at most BurstPruneBatch per transaction, and
// leaves the rows of a burst still being delivered, rows delivered after the
// cutoff and every row that is not a burst's; a burst's progress reads the
// same before and after.
func TestPruneBurstRows(t *testing.T) {
	ctx := context.Background()
	st := openSimStore(t)
	// A burst of 1,200 rows in one transaction: under the race detector,
	// beside the other packages' tests, it has taken longer than the
	// default write timeout, which this test is not about.
	st.SetWriteTimeout(time.Minute)
	t0 := time.Now().Add(-48 * time.Hour)
	st.SetClock(func() time.Time { return t0 })
	edited, err := st.EnqueueEdited(ctx, []byte(`{"operation":"CARDS","operation_id":"op-1"}`), ModeNormal, qa)
	if err != nil {
		t.Fatal(err)
	}
	done, err := st.EnqueueBurst(ctx, 1200, "", qa)
	if err != nil {
		t.Fatal(err)
	}
	deliverRows(t, st, t0, func(OutboxMessage) bool { return true })
	running, err := st.EnqueueBurst(ctx, 20, "", qa)
	if err != nil {
		t.Fatal(err)
	}
	half := 0
	deliverRows(t, st, t0, func(m OutboxMessage) bool { half++; return half <= 10 })
	cutoff := t0.Add(time.Hour)

	deleted, batches := 0, 0
	for {
		n, err := st.PruneBurstRows(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if n > BurstPruneBatch {
			t.Fatalf("one transaction deleted %d rows, want at most %d", n, BurstPruneBatch)
		}
		deleted += n
		if n < BurstPruneBatch {
			break
		}
		batches++
		// The writer is free between batches: a delivery commits now.
		if _, err := st.RecordDelivery(ctx, testDelivery(fmt.Sprintf("between-%d", batches), "AUTHORIZATION", "PENDING")); err != nil {
			t.Fatalf("ingest between batches: %v", err)
		}
	}
	if deleted != 1200 || batches != 2 {
		t.Errorf("deleted %d rows in %d full batches and a last one, want 1,200 in 2 and a last one", deleted, batches)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := st.r.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM outbox WHERE burst_id = ?`, done.ID); n != 0 {
		t.Errorf("done burst: %d rows left, want 0", n)
	}
	if n := count(`SELECT count(*) FROM outbox_attempts WHERE outbox_id NOT IN (SELECT id FROM outbox)`); n != 0 {
		t.Errorf("%d attempts left of deleted rows", n)
	}
	if n := count(`SELECT count(*) FROM outbox WHERE burst_id = ?`, running.ID); n != 20 {
		t.Errorf("burst being delivered: %d rows left, want all 20", n)
	}
	if _, atts, err := st.OutboxMessage(ctx, edited.ID); err != nil || len(atts) != 1 {
		t.Errorf("the edited notification: %d attempts, %v; want it kept with its attempt", len(atts), err)
	}
	if p, err := st.BurstProgress(ctx, done.ID); err != nil || p.Delivered != 1200 || p.Total != 1200 || !p.Done() {
		t.Errorf("done burst's progress = %+v, %v; want 1,200 of 1,200 delivered", p, err)
	}

	// Once it is done, the rows delivered before the cutoff go; the ones
	// delivered after stay until their own time comes.
	deliverRows(t, st, t0.Add(2*time.Hour), func(OutboxMessage) bool { return true })
	if n, err := st.PruneBurstRows(ctx, cutoff); err != nil || n != 10 {
		t.Errorf("after the burst is done: deleted %d, %v; want its 10 rows delivered before the cutoff", n, err)
	}
	if n, err := st.PruneBurstRows(ctx, t0.Add(3*time.Hour)); err != nil || n != 10 {
		t.Errorf("later: deleted %d, %v; want the last 10", n, err)
	}
	if p, err := st.BurstProgress(ctx, running.ID); err != nil || p.Delivered != 20 || !p.Done() {
		t.Errorf("progress = %+v, %v; want 20 of 20 delivered", p, err)
	}
	if n := count(`SELECT count(*) FROM outbox`); n != 1 {
		t.Errorf("outbox rows left = %d, want the edited one", n)
	}
}

// TestPruneBurstRowsPlan: the batch is read burst by burst from the index,
// never by scanning the outbox or sorting it.
func TestPruneBurstRowsPlan(t *testing.T) {
	st := openSimStore(t)
	rows, err := st.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+pruneBurstRowsSQL, 0, BurstPruneBatch)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "\n")
	if strings.Contains(got, "SCAN o") || strings.Contains(got, "SCAN p") || strings.Contains(got, "TEMP B-TREE") ||
		!strings.Contains(got, "SEARCH o USING INDEX outbox_burst (burst_id=? AND state=?)") {
		t.Errorf("plan:\n%s\nwant bursts scanned and their rows searched on outbox_burst, nothing sorted", got)
	}
}
