package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// MaxBurst bounds a burst.
const MaxBurst = 10_000

// Burst is a batch of simulated notifications and how far its delivery got.
type Burst struct {
	ID        int64
	Total     int
	Delivered int
	Refused   int
	Pending   int
	// Stopped counts the rows deleted undelivered when the burst was
	// stopped (StopBurst), by StoppedBy at StoppedAt (Unix ms; 0 when it
	// was not stopped).
	Stopped   int
	StoppedBy string
	StoppedAt int64
	// Attempts counts every attempt, retries included, while rows are
	// pending (once the burst is done its delivered rows are deleted after
	// BurstRowsKeep, and their attempts with them).
	Attempts  int
	CreatedAt int64
}

// Done reports whether every row of the burst is settled.
func (b Burst) Done() bool { return b.Pending == 0 }

// EnqueueBurst writes n CARDS/AUTHORIZATION notifications (1 ≤ n ≤
// MaxBurst), each with its own operation_id, in one transaction. They
// exercise the event log and a receiver; they move no balance. cardID, if
// set, is the card they name. One burst is delivered at a time: while
// another still has rows to deliver, the new one is refused (a *SimError,
// SimBurstRunning, with that burst's progress).
func (s *Store) EnqueueBurst(ctx context.Context, n int, cardID string, by SimActor) (Burst, error) {
	b := Burst{Total: n}
	if n < 1 || n > MaxBurst {
		return b, simInvalid(FieldErrors{"n": FieldInvalid})
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.nowMs()
		if cardID != "" {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM cards WHERE id = ?`, cardID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return &SimError{Code: SimCodeValidation, Reason: SimCardMissing, Field: "card", ID: cardID, missing: true}
			} else if err != nil {
				return err
			}
		}
		// Checked in the write transaction, so two bursts asked for at
		// once cannot both pass.
		running, ok, err := runningBurst(ctx, tx)
		if err != nil {
			return err
		}
		if ok {
			return &SimError{Code: SimCodeState, Reason: SimBurstRunning, ID: strconv.FormatInt(running.ID, 10), Burst: &running}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO bursts(total, template, actor, created_at) VALUES (?, 'CARDS/AUTHORIZATION', ?, ?)`, n, by.Name, now)
		if err != nil {
			return err
		}
		if b.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		b.CreatedAt = now
		ins, err := tx.PrepareContext(ctx, `INSERT INTO outbox(webhook_id, operation_id, operation, sub_operation, status,
			card_id, body, source, mode, burst_id, actor, state, next_attempt_at, created_at)
			VALUES (?, ?, 'CARDS', 'AUTHORIZATION', 'PENDING', ?, ?, 'burst', 'normal', ?, ?, 'pending', ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		created := time.UnixMilli(now).UTC().Format(time.RFC3339Nano)
		for i := range n {
			opID := simUUID()
			cents := int64(100 + (i*7919)%99_900)
			body, err := json.Marshal(map[string]any{
				"operation": "CARDS", "sub_operation": "AUTHORIZATION", "operation_id": opID, "status": "PENDING",
				"data": map[string]any{
					"card_id": cardID, "bill_amount": simNumber(cents), "bill_currency_number": "840", "bill_currency_code": "USD",
					"transaction_amount": simNumber(cents), "transaction_currency_number": "840", "transaction_currency_code": "USD",
					"exchange_rate": json.Number("1"), "fees": map[string]any{"atm_fees": json.Number("0"), "fx_fees": json.Number("0")},
					"merchant_data": map[string]any{"id": "SBXBURST", "name": "Burst test merchant", "city": "San Francisco", "country": "US", "mcc": "5999"},
					"created_at":    created,
					"burst":         map[string]any{"id": b.ID, "seq": i + 1, "of": n},
				},
			})
			if err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, newWebhookID(), opID, cardID, body, b.ID, by.Name, now, now); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: by.Name, ActorLevel: by.Level, RemoteAddr: by.RemoteAddr,
			Action: AuditSimulateBurst, TargetType: "burst", TargetID: fmt.Sprint(b.ID), Detail: fmt.Sprintf("%d notifications", n)})
	})
	var se *SimError
	if errors.As(err, &se) {
		return b, err
	}
	if err != nil {
		return b, fmt.Errorf("store: enqueue burst of %d: %w", n, err)
	}
	b.Pending = n
	return b, nil
}

// BurstProgress reports how far a burst's delivery got.
func (s *Store) BurstProgress(ctx context.Context, id int64) (Burst, error) {
	b, err := burstProgress(ctx, s.r, id)
	if err != nil {
		return b, fmt.Errorf("store: burst %d: %w", id, err)
	}
	return b, nil
}

// burstProgress reads burst id's progress through q. Delivered rows are
// deleted some time after the burst is done (PruneBurstRows), so they are
// counted as what is neither pending, refused nor stopped.
func burstProgress(ctx context.Context, q queryRower, id int64) (Burst, error) {
	b := Burst{ID: id}
	err := q.QueryRowContext(ctx, `SELECT total, created_at, stopped, stopped_by, COALESCE(stopped_at, 0)
		FROM bursts WHERE id = ?`, id).Scan(&b.Total, &b.CreatedAt, &b.Stopped, &b.StoppedBy, &b.StoppedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return b, ErrNotFound
	}
	if err != nil {
		return b, err
	}
	err = q.QueryRowContext(ctx, `SELECT COALESCE(SUM(state = 'refused'), 0), COALESCE(SUM(state = 'pending'), 0),
		COALESCE(SUM(attempts), 0) FROM outbox WHERE burst_id = ?`, id).Scan(&b.Refused, &b.Pending, &b.Attempts)
	b.Delivered = b.Total - b.Refused - b.Pending - b.Stopped
	return b, err
}

// StopBurst stops burst id: it deletes the burst's rows not yet delivered,
// with the attempts made on them, and notes on the burst how many, by whom
// and when, with its audit row, in one transaction. A delivery already on
// its way is not called back; its attempt is dropped when it ends
// (RecordAttempts). A burst with nothing pending is refused (a *SimError,
// SimBurstDone, with its progress); an unknown one is ErrNotFound.
func (s *Store) StopBurst(ctx context.Context, id int64, by SimActor) (Burst, error) {
	var b Burst
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if b, err = burstProgress(ctx, tx, id); err != nil {
			return err
		}
		if b.Done() {
			return &SimError{Code: SimCodeState, Reason: SimBurstDone, ID: strconv.FormatInt(id, 10), Burst: &b}
		}
		pending := `SELECT id FROM outbox WHERE burst_id = ? AND state = 'pending'`
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox_attempts WHERE outbox_id IN (`+pending+`)`, id); err != nil {
			return fmt.Errorf("delete the attempts of its pending rows: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE burst_id = ? AND state = 'pending'`, id)
		if err != nil {
			return fmt.Errorf("delete its pending rows: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE bursts SET stopped = stopped + ?, stopped_by = ?, stopped_at = ? WHERE id = ?`,
			n, by.Name, s.nowMs(), id); err != nil {
			return fmt.Errorf("note the stop: %w", err)
		}
		if b, err = burstProgress(ctx, tx, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: by.Name, ActorLevel: by.Level, RemoteAddr: by.RemoteAddr,
			Action: AuditSimulateBurstStop, TargetType: "burst", TargetID: fmt.Sprint(id),
			Detail: fmt.Sprintf("%d of %d notifications not sent", n, b.Total)})
	})
	var se *SimError
	if errors.As(err, &se) {
		return b, err
	}
	if err != nil {
		return b, fmt.Errorf("store: stop burst %d: %w", id, err)
	}
	return b, nil
}

// runningBurst returns the newest burst that still has rows to deliver;
// ok is false when every burst is done.
func runningBurst(ctx context.Context, q queryRower) (b Burst, ok bool, err error) {
	var id int64
	err = q.QueryRowContext(ctx, `SELECT b.id FROM bursts b
		WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.burst_id = b.id AND o.state = 'pending')
		ORDER BY b.id DESC LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Burst{}, false, nil
	}
	if err != nil {
		return Burst{}, false, fmt.Errorf("find a burst being delivered: %w", err)
	}
	b, err = burstProgress(ctx, q, id)
	if err != nil {
		return Burst{}, false, fmt.Errorf("burst %d: %w", id, err)
	}
	return b, true, nil
}
