// Package seed fills the sandbox issuer with realistic, deterministic demo
// data: cardholders from many countries, cards in every status and approval
// method, their numbers history, wallets with deposits and withdrawals,
// movements (authorizations, clearings, refunds, reversals, declines, foreign
// currency) and mobile-wallet tokenizations.
//
// The same Seed and Cards on an empty database always produce the same rows,
// identifiers included. Card i (counting every card already in the database)
// draws all its randomness from a generator seeded with (Seed, i), so running
// again adds new cards that never collide with the earlier ones. Full card
// numbers exist only in memory while a card is generated: the database gets
// their keyed hash (store.HashPAN) and first 6 / last 4 digits.
package seed

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"cardops/store"
)

// Options says how many cards to add and from which seed.
type Options struct {
	// Cards is how many cards to add.
	Cards int
	// Seed selects the data set; 0 means 1.
	Seed uint64
	// Progress, if set, is called after each batch of cards is written, with
	// the cards written so far in this run and Cards.
	Progress func(done, total int)
}

// Summary counts the rows a run added.
type Summary struct {
	Cards, Wallets, Transactions, WalletMovements, Numbers, Tokenizations int
	Elapsed                                                               time.Duration
}

// Tuning. A batch is the unit of generation, writing and progress; a
// transaction holds cardsPerTx cards.
var (
	batchCards   = 5_000
	cardsPerTx   = 1 << 62 // one transaction for the whole run; see Run
	rowsPerStmt  = 100
	seedCacheKiB = 512 * 1024
	// dropIndexesAt is the run size from which the secondary indexes of the
	// tables being filled are dropped and built again at the end, when the
	// run also at least doubles the cards.
	dropIndexesAt = 20_000
	// tracef, when set (by tests), reports the phases of a run.
	tracef func(format string, args ...any)
)

func trace(format string, args ...any) {
	if tracef != nil {
		tracef(format, args...)
	}
}

// Run adds opts.Cards cards, with everything that hangs off them, to st. On
// a database without a HOLDING wallet it first creates the HOLDING wallet and
// the VIRTUAL wallets.
//
// Run holds the store's single writer connection for its whole duration, and
// writes everything in one transaction: the random card identifiers spread
// each batch's index entries over the whole of every index, so committing in
// smaller pieces would rewrite most index pages at every commit. Either all
// the cards are added or, on error or cancellation, none.
func Run(ctx context.Context, st *store.Store, opts Options) (Summary, error) {
	start := time.Now()
	var sum Summary
	if opts.Cards < 0 {
		return sum, fmt.Errorf("seed: cards = %d, want >= 0", opts.Cards)
	}
	if opts.Cards == 0 {
		return sum, nil
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 1
	}
	key, err := st.SecretKey(ctx, store.PANKeySetting, store.PANKeySize)
	if err != nil {
		return sum, fmt.Errorf("seed: %w", err)
	}
	conn, err := st.Writer().Conn(ctx)
	if err != nil {
		return sum, fmt.Errorf("seed: writer connection: %w", err)
	}
	defer conn.Close()

	var existing, holding int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM cards`).Scan(&existing); err != nil {
		return sum, fmt.Errorf("seed: count cards: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM wallets WHERE kind = 'HOLDING'`).Scan(&holding); err != nil {
		return sum, fmt.Errorf("seed: find holding wallet: %w", err)
	}
	if existing+opts.Cards > maxCards {
		return sum, fmt.Errorf("seed: %d cards would exceed the generator's %d", existing+opts.Cards, maxCards)
	}

	restore, err := bulkPragmas(ctx, conn)
	if err != nil {
		return sum, err
	}
	defer restore()

	// The generator runs on its own goroutine, one or two batches ahead of
	// the writer; batches are recycled.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan *batch, 2)
	free := make(chan *batch, 3)
	for range cap(free) {
		free <- &batch{}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(full)
		g := newGen(seed, key)
		for done := 0; done < opts.Cards; {
			var b *batch
			select {
			case b = <-free:
			case <-gctx.Done():
				return
			}
			b.reset()
			g.b = b
			if done == 0 && holding == 0 {
				g.globals()
			}
			n := min(batchCards, opts.Cards-done)
			for i := range n {
				g.card(uint64(existing + done + i))
			}
			done += n
			select {
			case full <- b:
			case <-gctx.Done():
				return
			}
		}
	}()

	err = conn.Raw(func(dc any) error {
		w, err := newWriter(ctx, dc)
		if err != nil {
			return err
		}
		defer w.close()
		done, inTx := 0, 0
		if err := w.exec("BEGIN IMMEDIATE"); err != nil {
			return err
		}
		var indexes, ftsAfter []string
		if opts.Cards >= dropIndexesAt && opts.Cards >= existing {
			if indexes, err = w.dropIndexes(); err != nil {
				w.exec("ROLLBACK")
				return err
			}
			// The name search index too: one rebuild at the end instead
			// of a trigger per card.
			var before []string
			before, ftsAfter = store.CardSearchBulkLoad()
			for _, q := range before {
				if err := w.exec(q); err != nil {
					w.exec("ROLLBACK")
					return err
				}
			}
		}
		for b := range full {
			if err := w.write(b); err != nil {
				w.exec("ROLLBACK")
				return err
			}
			sum.Cards += b.rows[tCards]
			sum.Wallets += b.rows[tWallets]
			sum.Transactions += b.rows[tCardTransactions]
			sum.WalletMovements += b.rows[tWalletMovements]
			sum.Numbers += b.rows[tCardNumbers]
			sum.Tokenizations += b.rows[tCardTokenizations]
			done += b.cards
			inTx += b.cards
			free <- b
			if inTx >= cardsPerTx && done < opts.Cards {
				if err := w.exec("COMMIT"); err != nil {
					return err
				}
				if err := w.exec("BEGIN IMMEDIATE"); err != nil {
					return err
				}
				inTx = 0
			}
			if opts.Progress != nil {
				opts.Progress(done, opts.Cards)
			}
		}
		if err := ctx.Err(); err != nil {
			w.exec("ROLLBACK")
			return err
		}
		if done != opts.Cards {
			w.exec("ROLLBACK")
			return fmt.Errorf("generated %d cards, want %d", done, opts.Cards)
		}
		trace("rows inserted")
		for _, ix := range indexes {
			trace("create index: %.40s", ix)
			if err := w.exec(ix); err != nil {
				w.exec("ROLLBACK")
				return err
			}
		}
		trace("indexes created")
		for _, q := range ftsAfter {
			if err := w.exec(q); err != nil {
				w.exec("ROLLBACK")
				return err
			}
		}
		trace("name search index built")
		if err := w.exec("COMMIT"); err != nil {
			w.exec("ROLLBACK")
			return err
		}
		trace("committed")
		return nil
	})
	cancel()
	for range full { // let the generator see the cancellation and stop
	}
	wg.Wait()
	if err != nil {
		return Summary{Elapsed: time.Since(start)}, fmt.Errorf("seed: %w", err)
	}
	// The WAL now holds about the whole database; fold it back in so the
	// file does not stay that size. A busy reader just postpones it.
	conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	trace("checkpointed")
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// bulkPragmas sets the writer connection up for a bulk load and returns the
// function that puts it back. Foreign keys are not checked (the generator
// writes consistent references; the tests check them with
// foreign_key_check), the page cache is large enough to hold the indexes
// being filled, and commits do not wait for fsync of the WAL (a crash can
// lose the seed, not corrupt the database).
func bulkPragmas(ctx context.Context, conn *sql.Conn) (func(), error) {
	type pragma struct {
		name, bulk string
		old        string
	}
	ps := []pragma{
		{name: "foreign_keys", bulk: "0"},
		{name: "cache_size", bulk: fmt.Sprint(-seedCacheKiB)},
		{name: "synchronous", bulk: "1"}, // NORMAL
	}
	restore := func() {
		for _, p := range ps {
			if p.old != "" {
				// A fresh context: restoring must happen even if ctx ended.
				conn.ExecContext(context.Background(), "PRAGMA "+p.name+" = "+p.old)
			}
		}
	}
	for i := range ps {
		var old string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+ps[i].name).Scan(&old); err != nil {
			restore()
			return nil, fmt.Errorf("seed: read pragma %s: %w", ps[i].name, err)
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA "+ps[i].name+" = "+ps[i].bulk); err != nil {
			restore()
			return nil, fmt.Errorf("seed: set pragma %s: %w", ps[i].name, err)
		}
		ps[i].old = old
	}
	return restore, nil
}

// writer inserts batches through the driver connection directly: multi-row
// INSERT statements prepared once, bound from one reused argument slice.
type writer struct {
	ctx  context.Context
	conn interface {
		driver.ConnPrepareContext
		driver.ExecerContext
	}
	stmts map[[2]int]driver.Stmt // (table, rows) → statement
	args  []driver.NamedValue
}

func newWriter(ctx context.Context, dc any) (*writer, error) {
	c, ok := dc.(interface {
		driver.ConnPrepareContext
		driver.ExecerContext
	})
	if !ok {
		return nil, errors.New("driver connection cannot prepare and exec with a context")
	}
	maxCols := 0
	for _, t := range tableDefs {
		maxCols = max(maxCols, len(t.cols))
	}
	w := &writer{ctx: ctx, conn: c, stmts: map[[2]int]driver.Stmt{}, args: make([]driver.NamedValue, rowsPerStmt*maxCols)}
	for i := range w.args {
		w.args[i].Ordinal = i + 1
	}
	return w, nil
}

func (w *writer) exec(query string) error {
	if _, err := w.conn.ExecContext(w.ctx, query, nil); err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	return nil
}

// dropIndexes drops the secondary indexes (those with SQL; not the ones
// behind PRIMARY KEY and UNIQUE) of the tables the seed fills, and returns
// the statements that create them again. Building an index from sorted
// entries at the end is much cheaper than inserting millions of random keys.
// It happens inside the seed's transaction, so a failed run loses no index.
func (w *writer) dropIndexes() ([]string, error) {
	names := make([]string, 0, numTables)
	for _, t := range tableDefs {
		names = append(names, "'"+t.name+"'")
	}
	rows, err := w.conn.(driver.QueryerContext).QueryContext(w.ctx,
		`SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (`+strings.Join(names, ", ")+`) ORDER BY rowid`, nil)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var drop, create []string
	vals := make([]driver.Value, 2)
	for {
		if err := rows.Next(vals); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			rows.Close()
			return nil, fmt.Errorf("list indexes: %w", err)
		}
		drop = append(drop, `DROP INDEX "`+vals[0].(string)+`"`)
		create = append(create, vals[1].(string))
	}
	rows.Close()
	for _, q := range drop {
		if err := w.exec(q); err != nil {
			return nil, err
		}
	}
	return create, nil
}

func (w *writer) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

func (w *writer) stmt(table, rows int) (driver.Stmt, error) {
	k := [2]int{table, rows}
	if s, ok := w.stmts[k]; ok {
		return s, nil
	}
	def := tableDefs[table]
	var q strings.Builder
	q.WriteString("INSERT OR FAIL INTO " + def.name + " (" + strings.Join(def.cols, ", ") + ") VALUES ")
	row := "(?" + strings.Repeat(", ?", len(def.cols)-1) + ")"
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	s, err := w.conn.PrepareContext(w.ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("prepare insert into %s: %w", def.name, err)
	}
	w.stmts[k] = s
	return s, nil
}

func (w *writer) write(b *batch) error {
	for t := range numTables {
		if err := w.insert(t, b.vals[t], b.rows[t]); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) insert(table int, vals []any, rows int) error {
	cols := len(tableDefs[table].cols)
	if len(vals) != rows*cols {
		return fmt.Errorf("insert into %s: %d values for %d rows of %d columns", tableDefs[table].name, len(vals), rows, cols)
	}
	for off := 0; off < rows; off += rowsPerStmt {
		n := min(rowsPerStmt, rows-off)
		s, err := w.stmt(table, n)
		if err != nil {
			return err
		}
		args := w.args[:n*cols]
		for i := range args {
			args[i].Value = vals[off*cols+i]
		}
		if _, err := s.(driver.StmtExecContext).ExecContext(w.ctx, args); err != nil {
			return fmt.Errorf("insert into %s: %w", tableDefs[table].name, err)
		}
	}
	return nil
}
