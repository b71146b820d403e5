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
	"fmt"
	"net/url"
	"os"
	"path/filepath"
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
	// Progress, if set, is called on Run's goroutine after each batch of
	// cards has been generated and staged, with the cards staged so far and
	// Cards. Copying the staged rows into the database follows the last call.
	Progress func(done, total int)
}

// Summary counts the rows a run added.
type Summary struct {
	Cards, Wallets, Transactions, WalletMovements, Numbers, Tokenizations int
	Elapsed                                                               time.Duration
}

// Tuning.
var (
	// batchCards is the unit of generation, staging and progress.
	batchCards = 5_000
	// rowsPerStmt is the number of rows in one multi-row INSERT.
	rowsPerStmt = 100
	// stageCacheKiB is each staging database's page cache.
	stageCacheKiB = 192 * 1024
	// publishCacheKiB is the writer's page cache while publishing.
	publishCacheKiB = 64 * 1024
	// rollbackJournalAt is the run size from which publishing into empty
	// tables switches the database to a rollback journal for the copy; see
	// publish.
	rollbackJournalAt = 50_000
	// tracef, when set (by tests), reports the phases of a run.
	tracef func(format string, args ...any)
)

func trace(format string, args ...any) {
	if tracef != nil {
		tracef(format, args...)
	}
}

// stages assigns each table to one of two staging databases, built in
// parallel: the movements alone weigh about as much as everything else.
var stages = [2][]int{
	{tCardTransactions},
	{tWallets, tWalletBalances, tWalletMovements, tCards, tCardNumbers, tCardTokenizations},
}

// Run adds opts.Cards cards, with everything that hangs off them, to st. On
// a database without a HOLDING wallet it first creates the HOLDING wallet and
// the VIRTUAL wallets.
//
// Run works in two phases. It first generates the rows and writes them, on
// two goroutines, into two temporary staging databases next to st's file
// (no journal, indexes built at the end); st stays fully usable meanwhile.
// It then copies the staged tables into st in one transaction with INSERT …
// SELECT, which SQLite performs as a raw page-order copy when the
// destination tables are empty. Either every card is added or, on error or
// cancellation, none. During the copy Run holds st's writer; when a large run
// fills empty tables it also switches st to a rollback journal for the copy
// (only if no other connection has st open, and back to WAL afterwards),
// which halves the bytes written.
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
	info, err := inspect(ctx, st.Writer())
	if err != nil {
		return sum, fmt.Errorf("seed: %w", err)
	}
	if info.cards+opts.Cards > maxCards {
		return sum, fmt.Errorf("seed: %d cards would exceed the generator's %d", info.cards+opts.Cards, maxCards)
	}

	files, err := stage(ctx, st.Path(), info, seed, key, opts, &sum)
	defer func() {
		for _, f := range files {
			removeDB(f)
		}
	}()
	if err != nil {
		return Summary{Elapsed: time.Since(start)}, fmt.Errorf("seed: %w", err)
	}
	if err := publish(ctx, st, info, files, opts.Cards >= rollbackJournalAt); err != nil {
		return Summary{Elapsed: time.Since(start)}, fmt.Errorf("seed: %w", err)
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// dbInfo is what the seed reads from the database before it starts.
type dbInfo struct {
	cards     int
	holding   bool
	empty     bool                // every table the seed fills is empty
	tableSQL  [numTables]string   // CREATE TABLE statements
	indexSQL  [numTables][]string // CREATE INDEX statements (not the PRIMARY KEY / UNIQUE ones)
	pageSize  int
}

func inspect(ctx context.Context, db *sql.DB) (dbInfo, error) {
	var in dbInfo
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM cards`).Scan(&in.cards); err != nil {
		return in, fmt.Errorf("count cards: %w", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM wallets WHERE kind = 'HOLDING'`).Scan(&n); err != nil {
		return in, fmt.Errorf("find holding wallet: %w", err)
	}
	in.holding = n > 0
	if err := db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&in.pageSize); err != nil {
		return in, fmt.Errorf("page size: %w", err)
	}
	in.empty = true
	for t, def := range tableDefs {
		var any int
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+def.name+`)`).Scan(&any); err != nil {
			return in, fmt.Errorf("inspect %s: %w", def.name, err)
		}
		in.empty = in.empty && any == 0
		if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, def.name).Scan(&in.tableSQL[t]); err != nil {
			return in, fmt.Errorf("schema of %s: %w", def.name, err)
		}
		rows, err := db.QueryContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid`, def.name)
		if err != nil {
			return in, fmt.Errorf("indexes of %s: %w", def.name, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return in, fmt.Errorf("indexes of %s: %w", def.name, err)
			}
			in.indexSQL[t] = append(in.indexSQL[t], s)
		}
		if err := rows.Close(); err != nil {
			return in, fmt.Errorf("indexes of %s: %w", def.name, err)
		}
	}
	return in, nil
}

// stage generates the rows and writes them into two staging databases,
// created next to dbPath; it returns their paths, which the caller removes.
func stage(ctx context.Context, dbPath string, info dbInfo, seed uint64, key []byte, opts Options, sum *Summary) ([]string, error) {
	var files []string
	var stagers [2]*stager
	defer func() {
		for _, s := range stagers {
			if s != nil {
				s.db.Close()
			}
		}
	}()
	for i := range stagers {
		f, err := os.CreateTemp(filepath.Dir(dbPath), filepath.Base(dbPath)+".seed-*.tmp")
		if err != nil {
			return files, fmt.Errorf("create staging database: %w", err)
		}
		f.Close()
		files = append(files, f.Name())
		s, err := openStager(ctx, f.Name(), info, stages[i])
		if err != nil {
			return files, err
		}
		stagers[i] = s
	}
	trace("staging databases ready")

	// One generator feeds both stagers; a batch goes back to the free list
	// once both have written their tables from it.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var feeds [2]chan *batch
	for i := range feeds {
		feeds[i] = make(chan *batch, 2)
	}
	results := make(chan staged, 2*len(stagers))
	free := make(chan *batch, 4)
	for range cap(free) {
		free <- &batch{}
	}
	var wg sync.WaitGroup
	wg.Add(1 + len(stagers))
	go func() {
		defer wg.Done()
		defer func() {
			for _, f := range feeds {
				close(f)
			}
		}()
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
			if done == 0 && !info.holding {
				g.globals()
			}
			n := min(batchCards, opts.Cards-done)
			for i := range n {
				g.card(uint64(info.cards + done + i))
			}
			done += n
			b.pending.Store(int32(len(stagers)))
			for _, f := range feeds {
				select {
				case f <- b:
				case <-gctx.Done():
					return
				}
			}
		}
	}()
	for i, s := range stagers {
		go func() {
			defer wg.Done()
			s.run(gctx, feeds[i], results)
		}()
	}

	var firstErr error
	done, finished := 0, 0
	for finished < len(stagers) {
		r := <-results
		if r.err != nil && firstErr == nil {
			firstErr = r.err
			cancel()
		}
		if r.b == nil {
			finished++
			continue
		}
		if r.err != nil || r.b.pending.Add(-1) != 0 {
			continue
		}
		b := r.b
		sum.Cards += b.rows[tCards]
		sum.Wallets += b.rows[tWallets]
		sum.Transactions += b.rows[tCardTransactions]
		sum.WalletMovements += b.rows[tWalletMovements]
		sum.Numbers += b.rows[tCardNumbers]
		sum.Tokenizations += b.rows[tCardTokenizations]
		done += b.cards
		if opts.Progress != nil && firstErr == nil {
			opts.Progress(done, opts.Cards)
		}
		free <- b
	}
	cancel()
	wg.Wait()
	if firstErr != nil {
		return files, firstErr
	}
	if err := ctx.Err(); err != nil {
		return files, err
	}
	if done != opts.Cards {
		return files, fmt.Errorf("staged %d cards, want %d", done, opts.Cards)
	}
	for _, s := range stagers {
		if err := s.db.Close(); err != nil {
			return files, fmt.Errorf("close staging database: %w", err)
		}
	}
	stagers = [2]*stager{}
	trace("staged")
	return files, nil
}

// stager owns one staging database: a plain file with no journal, written
// in one transaction, holding the tables it is given with the schema they
// have in the real database (so INSERT … SELECT can copy them raw), their
// indexes built once every row is in.
type stager struct {
	db      *sql.DB
	tables  []int
	indexes []string
}

func openStager(ctx context.Context, path string, info dbInfo, tables []int) (*stager, error) {
	q := url.Values{}
	for _, p := range []string{
		fmt.Sprintf("page_size(%d)", info.pageSize),
		"journal_mode(OFF)",
		"synchronous(OFF)",
		"locking_mode(EXCLUSIVE)",
		"foreign_keys(0)",
		fmt.Sprintf("cache_size(%d)", -stageCacheKiB),
	} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open staging database: %w", err)
	}
	db.SetMaxOpenConns(1)
	s := &stager{db: db, tables: tables}
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, info.tableSQL[t]); err != nil {
			db.Close()
			return nil, fmt.Errorf("staging: create %s: %w", tableDefs[t].name, err)
		}
		s.indexes = append(s.indexes, info.indexSQL[t]...)
	}
	return s, nil
}

// run writes the stager's tables from every batch on feed, reporting each
// on results, then builds the indexes and commits, reporting a nil batch.
// After an error it drains feed.
func (s *stager) run(ctx context.Context, feed <-chan *batch, results chan<- staged) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		for range feed {
		}
		results <- staged{nil, fmt.Errorf("staging connection: %w", err)}
		return
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		w, err := newWriter(ctx, dc)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.exec("BEGIN"); err != nil {
			return err
		}
		for b := range feed {
			err := w.write(b, s.tables)
			results <- staged{b, err}
			if err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, q := range s.indexes {
			trace("staging: %.50s", q)
			if err := w.exec(q); err != nil {
				return err
			}
		}
		return w.exec("COMMIT")
	})
	for range feed {
	}
	if err != nil {
		err = fmt.Errorf("staging: %w", err)
	}
	results <- staged{nil, err}
}

type staged struct {
	b   *batch
	err error
}

// removeDB deletes a staging database and any files SQLite kept beside it.
func removeDB(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// publish copies the staged tables into st in one transaction.
//
// INSERT INTO t SELECT * FROM staged.t, with the same schema on both sides,
// no triggers and foreign keys off, is SQLite's transfer optimisation: into
// an empty table it copies records and index entries in order without
// decoding them. Into a table that already has rows it is an ordinary
// INSERT … SELECT, slower but the same result.
//
// In WAL mode every page is written twice (to the WAL, then by the
// checkpoint). When fill is set and the tables are empty, publish asks for a
// rollback journal instead, which for pages appended to the file journals
// nothing; SQLite refuses the switch while another connection has the
// database open, and then publish simply stays in WAL mode.
func publish(ctx context.Context, st *store.Store, info dbInfo, files []string, fill bool) error {
	conn, err := st.Writer().Conn(ctx)
	if err != nil {
		return fmt.Errorf("writer connection: %w", err)
	}
	defer conn.Close()

	var cards int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM cards`).Scan(&cards); err != nil {
		return fmt.Errorf("count cards: %w", err)
	}
	if cards != info.cards {
		return fmt.Errorf("%d cards were added while seeding; run again", cards-info.cards)
	}
	restore, err := bulkPragmas(ctx, conn)
	if err != nil {
		return err
	}
	defer restore()

	rollback := false
	if fill && info.empty {
		var mode string
		if err := conn.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err == nil && strings.EqualFold(mode, "delete") {
			rollback = true
			defer func() {
				// Back to WAL; retry briefly if a reader has just opened.
				for range 50 {
					var m string
					if err := conn.QueryRowContext(context.Background(), `PRAGMA journal_mode = WAL`).Scan(&m); err == nil && strings.EqualFold(m, "wal") {
						return
					}
					time.Sleep(100 * time.Millisecond)
				}
			}()
		}
	}
	trace("publishing (rollback journal: %v)", rollback)

	for i, f := range files {
		if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS `+stageName(i), f); err != nil {
			return fmt.Errorf("attach staging database: %w", err)
		}
		defer conn.ExecContext(context.Background(), `DETACH DATABASE `+stageName(i))
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	for t, def := range tableDefs {
		from := ""
		for i, ts := range stages {
			for _, x := range ts {
				if x == t {
					from = stageName(i) + "." + def.name
				}
			}
		}
		q := `INSERT INTO main.` + def.name + ` SELECT * FROM ` + from
		if t == tCardNumbers {
			// Staged numbers count their id from 1: into a table that has
			// rows already, let the real table number them.
			var any int
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM main.card_numbers)`).Scan(&any); err != nil {
				return fmt.Errorf("copy %s: %w", def.name, err)
			}
			if any == 1 {
				cols := strings.Join(def.cols, ", ")
				q = `INSERT INTO main.card_numbers (` + cols + `) SELECT ` + cols + ` FROM ` + from + ` ORDER BY id`
			}
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("copy %s: %w", def.name, err)
		}
		trace("copied %s", def.name)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	trace("committed")
	if !rollback {
		// The WAL now holds every new page; fold it back into the database
		// so the file does not stay that large. A busy reader postpones it.
		conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		trace("checkpointed")
	}
	return nil
}

func stageName(i int) string { return fmt.Sprintf("seed_stage_%d", i) }

// bulkPragmas sets the writer connection up for the copy and returns the
// function that puts it back: foreign keys unchecked (the generator writes
// consistent references, the tests check them with foreign_key_check, and
// SQLite's raw copy needs them off), a larger page cache, and commits that
// do not wait for fsync of the WAL (a crash can lose the seed, not corrupt
// the database).
func bulkPragmas(ctx context.Context, conn *sql.Conn) (func(), error) {
	type pragma struct{ name, bulk, old string }
	ps := []pragma{
		{name: "foreign_keys", bulk: "0"},
		{name: "cache_size", bulk: fmt.Sprint(-publishCacheKiB)},
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
			return nil, fmt.Errorf("read pragma %s: %w", ps[i].name, err)
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA "+ps[i].name+" = "+ps[i].bulk); err != nil {
			restore()
			return nil, fmt.Errorf("set pragma %s: %w", ps[i].name, err)
		}
		ps[i].old = old
	}
	return restore, nil
}

