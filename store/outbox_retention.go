package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// BurstRowsKeep is how long a done burst's delivered notifications stay in
// the outbox after their delivery, long enough to open a few and read their
// attempts. The burst's count stays (its bursts row: its progress still
// reads "10,000 of 10,000 delivered"), and the events the receiver stored
// from them follow the event log's retention. Other outbox rows are kept:
// each is one action a person or an API key took, and the card timeline,
// the deliveries tables and the delivery and replay pages show them.
const BurstRowsKeep = 24 * time.Hour

// BurstPruneBatch is the most outbox rows PruneBurstRows deletes in one
// transaction, each with its attempts. The receiver's group commit and the
// dispatcher wait for the writer while a batch runs, so this bounds how long
// a delivery can be held up.
const BurstPruneBatch = 500

// PruneBurstRows deletes, in one transaction, up to BurstPruneBatch outbox
// rows of bursts, with their attempts: rows delivered before cutoff, of
// bursts that have no row left to deliver, the oldest burst first. It
// reports how many rows it deleted; call it again, after a pause, while
// that is BurstPruneBatch.
func (s *Store) PruneBurstRows(ctx context.Context, cutoff time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Burst by burst (CROSS JOIN keeps bursts the outer loop), each
		// burst's delivered rows read in id order from outbox_burst
		// (burst_id, state): no scan of the outbox, no sort, and the
		// pending check made once per burst, not per row.
		rows, err := tx.QueryContext(ctx, pruneBurstRowsSQL, cutoff.UnixMilli(), BurstPruneBatch)
		if err != nil {
			return fmt.Errorf("find delivered burst rows: %w", err)
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("find delivered burst rows: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find delivered burst rows: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		in := "(?" + strings.Repeat(", ?", len(ids)-1) + ")"
		// The attempts first: they refer to their row.
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox_attempts WHERE outbox_id IN `+in, ids...); err != nil {
			return fmt.Errorf("delete their attempts: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id IN `+in, ids...)
		if err != nil {
			return fmt.Errorf("delete delivered burst rows: %w", err)
		}
		deleted, err := res.RowsAffected()
		n = int(deleted)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune burst rows delivered before %s: %w", cutoff.UTC().Format(time.RFC3339), err)
	}
	return n, nil
}

const pruneBurstRowsSQL = `SELECT o.id FROM bursts b CROSS JOIN outbox o
	WHERE b.created_at < ?1
		AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.burst_id = b.id AND p.state = 'pending')
		AND o.burst_id = b.id AND o.state = 'delivered' AND o.done_at < ?1
	ORDER BY b.id, o.id LIMIT ?2`

// KeepBurstRows deletes, until ctx is done, the delivered rows of done
// bursts delivered more than keep ago: every interval it calls
// PruneBurstRows, pausing between batches so the receiver's and the
// dispatcher's commits go in between. logf hears of each round that
// deleted rows, and of each error.
func (s *Store) KeepBurstRows(ctx context.Context, keep, interval, pause time.Duration, logf func(deleted int, err error)) {
	total := 0
	pruneInRounds(ctx, interval, pause, func() (bool, error) {
		n, err := s.PruneBurstRows(ctx, s.now().Add(-keep))
		total += n
		return n == BurstPruneBatch, err
	}, func(err error) {
		if err != nil || total > 0 {
			logf(total, err)
		}
		total = 0
	})
}
