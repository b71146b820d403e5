package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RetentionBatch is the most events PruneEvents deletes in one
// transaction. The receiver's group commit waits for the writer while a
// batch runs, so this bounds how long a delivery can be held up.
const RetentionBatch = 500

// retentionMinutes is the most minutes of chart counts and time spans
// PruneEvents deletes in one transaction.
const retentionMinutes = 60

// Pruned is what one PruneEvents call deleted.
type Pruned struct {
	Events  int // events, each with its retries and its text index row
	Minutes int // minutes of chart counts and time spans
}

// More reports whether the call deleted a full batch, so that more old
// rows may be left.
func (p Pruned) More() bool { return p.Events == RetentionBatch || p.Minutes == retentionMinutes }

// PruneEvents deletes, in one transaction, up to RetentionBatch of the
// oldest events received before cutoff, with their retries and their rows
// of the text index; once no such event is left, up to an hour's worth of
// the chart counts and time spans of the minutes before cutoff. Call it
// again, after a pause, while More says so.
func (s *Store) PruneEvents(ctx context.Context, cutoff time.Time) (Pruned, error) {
	var p Pruned
	cutMinute := cutoff.UnixMilli() / 60000
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Events numbered up to the last one of the minutes wholly
		// before the cutoff; received_at decides, so an event stamped out
		// of order is not taken early.
		var upTo sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT last_id FROM webhook_event_minutes WHERE minute < ?
			ORDER BY minute DESC LIMIT 1`, cutMinute).Scan(&upTo); err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("find old events: %w", err)
		}
		if upTo.Valid {
			const old = `SELECT id FROM webhook_events WHERE id <= ? AND received_at < ? ORDER BY id LIMIT ?`
			args := []any{upTo.Int64, cutoff.UnixMilli(), RetentionBatch}
			for _, q := range []string{
				`DELETE FROM webhook_retries WHERE event_id IN (` + old + `)`,
				// A contentless index forgets a row given the values it
				// indexed, which the body still gives. Only the events up
				// to its mark are in it: 'delete' of a row it never held
				// would corrupt it. The mark cannot move meanwhile: the
				// indexer moves it in a write transaction of its own.
				`INSERT INTO webhook_events_text(webhook_events_text, rowid, payload_values)
					SELECT 'delete', id, cardops_payload_values(body) FROM webhook_events WHERE id IN (` + old + `)
					AND id <= (` + textMarkSQL + `)`,
			} {
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return fmt.Errorf("delete old events: %w", err)
				}
			}
			res, err := tx.ExecContext(ctx, `DELETE FROM webhook_events WHERE id IN (`+old+`)`, args...)
			if err != nil {
				return fmt.Errorf("delete old events: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			p.Events = int(n)
			// SQLite numbers a new event after the highest id left: once
			// the newest events are gone, the next ones may take ids at or
			// below the mark, so the mark comes down to the highest id.
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_events_text_mark
				SET indexed_to = coalesce((SELECT max(id) FROM webhook_events), 0)
				WHERE indexed_to > coalesce((SELECT max(id) FROM webhook_events), 0)`); err != nil {
				return fmt.Errorf("lower text index mark: %w", err)
			}
		}
		if p.Events == RetentionBatch {
			return nil
		}
		// No old event is left below the cutoff minute: its counts and
		// spans go, an hour at a time.
		var from sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(minute) FROM webhook_event_minutes`).Scan(&from); err != nil {
			return fmt.Errorf("find old minutes: %w", err)
		}
		if !from.Valid || from.Int64 >= cutMinute {
			return nil
		}
		end := min(from.Int64+retentionMinutes, cutMinute)
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_event_counts WHERE minute >= ? AND minute < ?`, from.Int64, end); err != nil {
			return fmt.Errorf("delete old counts: %w", err)
		}
		// The hours that end by then.
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_event_counts_hourly WHERE hour < ?`, end/60); err != nil {
			return fmt.Errorf("delete old counts: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_event_minutes WHERE minute >= ? AND minute < ?`, from.Int64, end)
		if err != nil {
			return fmt.Errorf("delete old minutes: %w", err)
		}
		n, err := res.RowsAffected()
		p.Minutes = int(n)
		if end < cutMinute {
			p.Minutes = retentionMinutes // more hours may follow
		}
		return err
	})
	if err != nil {
		return Pruned{}, fmt.Errorf("store: prune events before %s: %w", cutoff.UTC().Format(time.RFC3339), err)
	}
	return p, nil
}

// KeepEvents deletes, until ctx is done, the events received more than
// keep ago: every interval it calls PruneEvents, pausing between batches
// so the receiver's commits go in between. keep 0 keeps everything.
func (s *Store) KeepEvents(ctx context.Context, keep, interval, pause time.Duration, logf func(Pruned, error)) {
	if keep <= 0 {
		return
	}
	var total Pruned
	pruneInRounds(ctx, interval, pause, func() (bool, error) {
		p, err := s.PruneEvents(ctx, s.now().Add(-keep))
		total.Events += p.Events
		total.Minutes += p.Minutes
		return p.More(), err
	}, func(err error) {
		if err != nil || total.Events > 0 {
			logf(total, err)
		}
		total = Pruned{}
	})
}

// pruneInRounds runs batch until it says nothing more is left, pausing
// between batches so other writers' commits go in between, then ends the
// round with roundDone (err: the batch's that failed, which ends the round
// too) and starts the next one interval later, until ctx is done.
func pruneInRounds(ctx context.Context, interval, pause time.Duration, batch func() (more bool, err error), roundDone func(err error)) {
	for {
		for {
			more, err := batch()
			if err != nil || !more {
				roundDone(err)
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(pause):
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
