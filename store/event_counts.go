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
// counts the receiver keeps per minute (webhook_event_counts) and per hour
// (webhook_event_counts_hourly, for whole hours); only f's
// Operation, SubOperation and Status narrow them. Buckets with nothing are
// left out; the rest come oldest first.
func (s *Store) EventCounts(ctx context.Context, f EventFilter, from, to time.Time, bucket time.Duration) ([]EventCount, error) {
	per := int64(bucket / time.Minute)
	if per < 1 {
		per = 1
	}
	// Whole hours are read from the hourly counts: 24 rows a day per
	// combination rather than 1,440.
	table, unit, col := "webhook_event_counts", int64(60000), "minute"
	if per%60 == 0 && from.UnixMilli()%3600000 == 0 && to.UnixMilli()%3600000 == 0 {
		table, unit, col, per = "webhook_event_counts_hourly", 3600000, "hour", per/60
	}
	var c conditions
	c.add(col+" >= ? AND "+col+" < ?", from.UnixMilli()/unit, (to.UnixMilli()+unit-1)/unit)
	f.addKindConds(&c)
	q := `SELECT ` + col + ` / ? * ?, status, sum(n) FROM ` + table + c.where() +
		` GROUP BY 1, 2 ORDER BY 1, 2`
	rows, err := s.r.QueryContext(ctx, q, append([]any{per, per}, c.args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: event counts: %w", err)
	}
	defer rows.Close()
	var out []EventCount
	for rows.Next() {
		var c EventCount
		var start int64
		if err := rows.Scan(&start, &c.Status, &c.N); err != nil {
			return nil, fmt.Errorf("store: event counts: %w", err)
		}
		c.Start = time.UnixMilli(start * unit).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: event counts: %w", err)
	}
	return out, nil
}
