package store

import (
	"context"
	"fmt"
	"time"
)

// EventCount is how many notifications with one status arrived in one
// bucket of time.
type EventCount struct {
	Start  time.Time // the bucket's start
	Status string    // as stored (normalised, upper case)
	N      int64
}

// EventCounts counts the notifications received in [from, to) in buckets of
// bucket (a whole number of minutes, from the epoch), by status, from the
// counts the receiver keeps per minute (webhook_event_counts); only f's
// Operation, SubOperation and Status narrow them. Buckets with nothing are
// left out; the rest come oldest first.
func (s *Store) EventCounts(ctx context.Context, f EventFilter, from, to time.Time, bucket time.Duration) ([]EventCount, error) {
	per := int64(bucket / time.Minute)
	if per < 1 {
		per = 1
	}
	var c conditions
	c.add("minute >= ? AND minute < ?", from.UnixMilli()/60000, (to.UnixMilli()+59999)/60000)
	if f.Operation != "" {
		c.add("operation = ?", f.Operation)
	}
	if f.SubOperation != "" {
		c.add("sub_operation = ?", f.SubOperation)
	}
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
	q := `SELECT minute / ? * ?, status, sum(n) FROM webhook_event_counts` + c.where() +
		` GROUP BY 1, 2 ORDER BY 1, 2`
	rows, err := s.r.QueryContext(ctx, q, append([]any{per, per}, c.args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: event counts: %w", err)
	}
	defer rows.Close()
	var out []EventCount
	for rows.Next() {
		var c EventCount
		var minute int64
		if err := rows.Scan(&minute, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("store: event counts: %w", err)
		}
		c.Start = time.UnixMilli(minute * 60000).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: event counts: %w", err)
	}
	return out, nil
}
