package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"cardops/store"
)

// target is a run's connection to the store's database, on which the run
// writes everything it adds in one transaction: a raw connection, as the
// staging databases have, opened while the run holds the store's writer so
// that none of the store's own writes comes in between.
//
// A large run into empty tables (see claim) asks for a rollback journal
// before anything is written. If it gets one, the movements, whose indexes
// all receive their keys in order, are loaded straight into the database
// on this connection rather than staged and copied: that spares writing,
// reading and copying the largest table a second time.
type target struct {
	c        *rawConn
	w        *sql.Conn // the store's writer, held for the run
	rollback bool      // the database is in rollback-journal mode until close
	restore  func()    // puts WAL mode back; nil if untouched
	inTx     bool
	unwatch  func() // stops interrupting c when the run's context ends
}

// claim takes the store's writer and opens the target connection. With
// rollback set it first switches the database to a rollback journal, which
// for pages appended to the file journals nothing, where WAL mode writes
// every page twice (to the WAL, then by the checkpoint). SQLite refuses the
// switch while another connection has the database open: t.rollback then
// stays false and the run writes through the WAL.
func claim(ctx context.Context, st *store.Store, rollback bool) (*target, error) {
	w, err := st.Writer().Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("writer connection: %w", err)
	}
	t := &target{w: w}
	var busy string
	if err := w.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
		t.close()
		return nil, fmt.Errorf("busy timeout: %w", err)
	}
	if rollback {
		if err := t.useRollbackJournal(ctx, st, busy); err != nil {
			t.close()
			return nil, err
		}
	}
	if t.c, err = openRaw(st.Path()); err != nil {
		t.close()
		return nil, fmt.Errorf("open the database: %w", err)
	}
	// NORMAL in WAL mode loses at worst the run on a power cut, never the
	// database, and does not wait for the WAL to reach the disk; with a
	// rollback journal, FULL as the store has it. Foreign keys off: the
	// generator writes consistent references (the tests check them with
	// foreign_key_check), and SQLite's raw copy needs them off.
	sync := 1
	if t.rollback {
		sync = 2
	}
	for _, q := range []string{
		"PRAGMA busy_timeout = " + busy,
		"PRAGMA foreign_keys = OFF",
		fmt.Sprintf("PRAGMA synchronous = %d", sync),
		fmt.Sprintf("PRAGMA cache_size = %d", -stageCacheKiB),
	} {
		if err := t.c.exec(q); err != nil {
			t.close()
			return nil, err
		}
	}
	return t, nil
}

// useRollbackJournal asks once, without waiting, for a rollback journal:
// another connection's lock means the database is in use, and the run then
// stays in WAL mode.
func (t *target) useRollbackJournal(ctx context.Context, st *store.Store, busy string) error {
	// Idle connections of the read pool would refuse the switch; close
	// them (the pool opens new ones on demand).
	r := st.Reader()
	if n := r.Stats().MaxOpenConnections; n > 0 {
		r.SetMaxIdleConns(0)
		r.SetMaxIdleConns(n)
	}
	if _, err := t.w.ExecContext(ctx, `PRAGMA busy_timeout = 0`); err != nil {
		return fmt.Errorf("busy timeout: %w", err)
	}
	var mode string
	err := t.w.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode)
	if _, rerr := t.w.ExecContext(context.Background(), `PRAGMA busy_timeout = `+busy); rerr != nil {
		return fmt.Errorf("busy timeout: %w", rerr)
	}
	if err != nil || !strings.EqualFold(mode, "delete") {
		return nil
	}
	t.rollback = true
	t.restore = func() {
		// Back to WAL; retry briefly if a reader has just opened.
		for range 50 {
			var m string
			if err := t.w.QueryRowContext(context.Background(), `PRAGMA journal_mode = WAL`).Scan(&m); err == nil && strings.EqualFold(m, "wal") {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// begin attaches the staging databases and opens the transaction. No
// database can be attached inside a transaction, so all are attached
// first, before their indexes are built; each is read only once built,
// and the first read finds its schema changed and reloads it (see
// publish). BEGIN, not the store's BEGIN IMMEDIATE, which would lock
// every attached database too, against the staging connections; the first
// write to main is as immediate.
func (t *target) begin(ctx context.Context, stagers []*stager) error {
	for i, s := range stagers {
		if s.inTarget {
			continue
		}
		if err := t.c.exec(`ATTACH DATABASE ` + quoteString(s.path) + ` AS ` + stageName(i)); err != nil {
			return fmt.Errorf("attach staging database: %w", err)
		}
	}
	if err := t.c.exec("BEGIN"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t.inTx = true
	t.unwatch = t.c.interruptOn(ctx)
	return nil
}

// exec runs q unless ctx has ended; a long statement that is running when
// ctx ends is interrupted (see begin).
func (t *target) exec(ctx context.Context, q string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.c.exec(q); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		return err
	}
	return nil
}

// queryInt runs q, which answers one integer, unless ctx has ended.
func (t *target) queryInt(ctx context.Context, q string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return t.c.queryInt(q)
}

// commit commits the run and, in WAL mode, folds the WAL, which now holds
// every new page, back into the database so the file does not stay that
// large: without waiting, as a reader still on an older snapshot
// postpones it to a later checkpoint.
func (t *target) commit(ctx context.Context) error {
	if err := t.exec(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.inTx = false
	trace("committed")
	if !t.rollback {
		t.c.exec("PRAGMA busy_timeout = 0")
		t.c.exec("PRAGMA wal_checkpoint(TRUNCATE)")
		trace("checkpointed")
	}
	return nil
}

// close rolls back what is not committed, closes the connection (which
// detaches the staging databases), puts the journal mode back and returns
// the store's writer.
func (t *target) close() {
	if t.unwatch != nil {
		t.unwatch()
	}
	if t.c != nil {
		if t.inTx {
			t.c.exec("ROLLBACK")
		}
		t.c.close()
	}
	if t.restore != nil {
		t.restore()
	}
	t.w.Close()
}
