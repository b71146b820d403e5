package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestStopBurst: stopping drops the burst's pending rows and their attempts,
// keeps the count, and lets the dispatcher record an attempt that was on its
// way when the row went; a done or unknown burst is refused, and the stop
// and its audit row commit together.
func TestStopBurst(t *testing.T) {
	st := openSimStore(t)
	ctx := context.Background()
	b, err := st.EnqueueBurst(ctx, 5, "", qa)
	if err != nil {
		t.Fatal(err)
	}
	due, err := st.DueOutbox(ctx, time.Now().Add(time.Hour), 10, nil)
	if err != nil || len(due) != 5 {
		t.Fatalf("due = %d rows, %v", len(due), err)
	}
	attempt := func(id int64, state string, status int) AttemptResult {
		return AttemptResult{State: state, NextAttemptAt: time.Now().Add(time.Minute).UnixMilli(),
			Attempt: OutboxAttempt{OutboxID: id, Target: "http://receiver", StartedAt: time.Now().UnixMilli(), DurationMs: 1, HTTPStatus: status}}
	}
	// One delivered, one tried and due again.
	if err := st.RecordAttempts(ctx, []AttemptResult{attempt(due[0].ID, OutboxDelivered, 200), attempt(due[1].ID, OutboxPending, 503)}); err != nil {
		t.Fatal(err)
	}

	// With the audit row refused, nothing is stopped.
	if _, err := st.w.ExecContext(ctx, `CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log
		BEGIN SELECT RAISE(ABORT, 'audit refused'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StopBurst(ctx, b.ID, qa); err == nil {
		t.Fatal("StopBurst succeeded without its audit row")
	}
	if got, _ := st.BurstProgress(ctx, b.ID); got.Pending != 4 || got.Stopped != 0 {
		t.Fatalf("after a failed stop: %+v, want 4 pending", got)
	}
	if _, err := st.w.ExecContext(ctx, `DROP TRIGGER test_audit_fails`); err != nil {
		t.Fatal(err)
	}

	if got, _ := st.BurstProgress(ctx, b.ID); got.StoppedAt != 0 {
		t.Errorf("a burst not stopped has StoppedAt %d, want 0", got.StoppedAt)
	}
	stoppedAt := time.Date(2026, 12, 3, 10, 4, 5, 0, time.UTC)
	st.SetClock(func() time.Time { return stoppedAt })
	got, err := st.StopBurst(ctx, b.ID, qa)
	if err != nil {
		t.Fatal(err)
	}
	if got.Delivered != 1 || got.Stopped != 4 || got.Pending != 0 || got.StoppedBy != qa.Name ||
		got.StoppedAt != stoppedAt.UnixMilli() || !got.Done() {
		t.Errorf("stopped burst = %+v, want 1 delivered, 4 stopped by %s at %d", got, qa.Name, stoppedAt.UnixMilli())
	}
	if again, _ := st.BurstProgress(ctx, b.ID); again != got {
		t.Errorf("progress read again = %+v, want %+v", again, got)
	}
	var rows, attempts int
	st.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&rows)
	st.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox_attempts`).Scan(&attempts)
	if rows != 1 || attempts != 1 {
		t.Errorf("%d outbox rows, %d attempts left; want the delivered one and its attempt", rows, attempts)
	}

	// An attempt that was on its way to a stopped row is dropped; the
	// batch's others are stored.
	if err := st.RecordAttempts(ctx, []AttemptResult{attempt(due[2].ID, OutboxDelivered, 200), attempt(due[0].ID, OutboxDelivered, 200)}); err != nil {
		t.Fatalf("RecordAttempts with a stopped row: %v", err)
	}
	st.r.QueryRowContext(ctx, `SELECT count(*) FROM outbox_attempts`).Scan(&attempts)
	if attempts != 2 {
		t.Errorf("%d attempts, want 2", attempts)
	}

	var se *SimError
	if _, err := st.StopBurst(ctx, b.ID, qa); !errors.As(err, &se) || se.Reason != SimBurstDone {
		t.Errorf("stopping a done burst: %v, want SimBurstDone", err)
	}
	if _, err := st.StopBurst(ctx, 99, qa); !errors.Is(err, ErrNotFound) {
		t.Errorf("stopping an unknown burst: %v, want ErrNotFound", err)
	}
	logged, _ := st.AuditLog(ctx, AuditFilter{Action: AuditSimulateBurstStop})
	if len(logged) != 1 || logged[0].Detail != "4 of 5 notifications not sent" {
		t.Errorf("audit = %+v", logged)
	}
}
