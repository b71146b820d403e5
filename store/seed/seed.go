// Package seed fills the sandbox issuer with realistic, deterministic demo
// data: cardholders from many countries, cards in every status and approval
// method, their numbers history, wallets with deposits and withdrawals,
// movements (authorizations, clearings, refunds, reversals, declines, foreign
// currency) and mobile-wallet tokenizations.
//
// The same Seed and Cards on an empty database always produce the same rows,
// identifiers included. Card i (counting every card already in the database)
// draws all its randomness from a generator seeded with (Seed, i), so running
// again adds new cards that never collide with the earlier ones. A run
// stores its cards in the order of their ids, not of i (see cardOrder).
// Full card numbers exist only in memory while a card is generated: the
// database gets their keyed hash (store.HashPAN) and first 6 / last 4
// digits.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
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
	// stageCacheKiB is each staging database's page cache while loading,
	// when only the last page of each table is written to; stageSortKiB is
	// the cache, which bounds the sorter's memory, while the indexes are
	// built. (More for the sorter, 64 MiB, sorts fewer, longer runs in
	// memory: slower in all, for the worse use of the processor's caches.)
	stageCacheKiB = 4 * 1024
	stageSortKiB  = 16 * 1024
	// stagePageSize is the staging databases' page size: large pages make
	// fewer, shallower B-trees to fill; the copy into the real database
	// moves records, not pages, so the sizes need not match.
	stagePageSize = 65536
	// stageThreads is the sorter helper threads per staging database. The
	// two staging databases already keep two cores busy; helper threads
	// cost more CPU than they save there.
	stageThreads = 0
	// rollbackJournalAt is the run size from which publishing into empty
	// tables switches the database to a rollback journal for the copy; see
	// publish.
	rollbackJournalAt = 50_000
	// tracef, when set (by tests), reports the phases of a run; the
	// index builds call it from their own goroutines.
	tracef func(format string, args ...any)
)

func trace(format string, args ...any) {
	if tracef != nil {
		tracef(format, args...)
	}
}

// stages assigns the tables to staging databases, one file each. All are
// loaded at once from one generator; then two workers build their indexes,
// one file after another in buildOrder, while the copy into the real
// database takes each file as soon as it is built (see publish). The name
// index, when it is staged (see nameIndex), is a further file.
var stages = [][]int{
	{tCardTransactions},
	{tCards},
	{tCardNumbers},
	{tWallets, tWalletBalances, tWalletMovements, tCardTokenizations},
}

// inOrderIndexes names the indexes whose keys the rows reach in ascending
// order, or nearly: the generator takes the cards in the order of their ids
// (see cardOrder), and a card's numbers in the order of their rowids, its
// movements in time order (a second apart at least), with ids that ascend
// too (movementID), and its tokens in the order of their rowids. Staging
// creates these before loading, so they grow by appends rather than being
// sorted once the rows are in (each sort also reads the whole table).
// TestInOrderIndexes checks each.
var inOrderIndexes = map[string]keyOrder{
	"sqlite_autoindex_cards_1":             ascending, // cards(id)
	"card_numbers_card":                    ascending, // (card_id, id)
	"card_transactions_card":               ascending, // (card_id, datetime, id)
	"sqlite_autoindex_card_transactions_1": ascending, // card_transactions(id)
	"card_tokenizations_card":              ascending, // (card_id)
	// A movement's parent is its authorization, and a card's clearings
	// and refunds need not come in the order of their authorizations.
	"card_transactions_parent": ascendingByCard,
	// Partial on a column the seed leaves empty: no key at all, but a
	// build afterwards would read every movement to find that out.
	"card_transactions_source_op": ascending,
}

// keyOrder is how closely the rows reach an index in the order of its keys.
type keyOrder int

const (
	// ascending: each row's key comes after the last row's.
	ascending keyOrder = iota + 1
	// ascendingByCard: each row's key comes after every earlier card's,
	// so an insert out of order seeks only among the current card's keys,
	// at the end of the index.
	ascendingByCard
)

// buildOrder is the order in which the staging databases are built, two
// at a time, as indexes into stages, -1 for the name index. The copy is
// serial and takes a database once built: the order keeps it busy from
// early on (the small tables first, then the movements, whose copy is the
// longest) and leaves last the name index, whose copy is short.
var buildOrder = []int{3, 0, 2, 1, -1}

// stageWorkers is how many staging databases build their indexes at once.
var stageWorkers = 2

// Run adds opts.Cards cards, with everything that hangs off them, to st. On
// a database without a HOLDING wallet it first creates the HOLDING wallet and
// the VIRTUAL wallets.
//
// Run works in two phases. It first generates the rows and writes them, on
// one goroutine per staging database, into temporary staging databases next
// to st's file (no journal, no index yet); st stays fully usable meanwhile
// (but see below for a large run).
// It then builds the staging databases' indexes and, overlapping that,
// copies each finished one into st with INSERT … SELECT, all in one
// transaction, which SQLite performs as a raw, in-order copy of records and
// index entries when the destination tables are empty. Either every card is
// added or, on error or cancellation, none.
//
// During the second phase Run holds st's writer. When a large run (50,000
// cards or more) fills empty tables, it holds the writer from the start:
// it closes the read pool's idle connections and switches st to a rollback
// journal, which halves the bytes written, loads the movements straight
// into st in the run's transaction (see target), and switches back to WAL
// at the end; connections opened meanwhile wait for the run (up to their
// busy timeout). If a reader is in the middle of a query, SQLite refuses
// the switch and the run stages everything and copies through the WAL, so
// seeding at start-up, before serving, is the fast case.
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
	key := st.PANKey()
	info, err := inspect(ctx, st.Writer())
	if err != nil {
		return sum, fmt.Errorf("seed: %w", err)
	}
	if info.cards+opts.Cards > maxCards {
		return sum, fmt.Errorf("seed: %d cards would exceed the generator's %d", info.cards+opts.Cards, maxCards)
	}
	failed := func(err error) (Summary, error) {
		return Summary{Elapsed: time.Since(start)}, fmt.Errorf("seed: %w", err)
	}

	removeStale(st.Path())
	// Deferred in this order, the target closes (rolling back what it has
	// not committed) before the staging databases it attached are removed.
	var stagers []*stager
	defer func() {
		for _, s := range stagers {
			if !s.inTarget {
				s.c.close()
				removeDB(s.path)
			}
		}
	}()
	var tg *target
	defer func() {
		if tg != nil {
			tg.close()
		}
	}()
	// The movements, the largest table, load in place when every one of
	// their indexes receives its keys in order; otherwise their load would
	// insert at random into the database's indexes.
	if opts.Cards >= rollbackJournalAt && info.empty && info.tables[tCardTransactions].allInOrder(inOrderIndexes) {
		if tg, err = claim(ctx, st, true); err != nil {
			return failed(err)
		}
		if !tg.rollback {
			// In WAL mode, loading in place would hold the writer for the
			// whole run and write the movements twice: stage them too.
			tg.close()
			tg = nil
		}
	}
	if stagers, err = openStagers(st.Path(), info, tg); err != nil {
		return failed(err)
	}
	if tg != nil {
		if err := tg.begin(ctx, stagers); err != nil {
			return failed(err)
		}
		trace("movements load into the database")
	}
	if err := stage(ctx, stagers, info, seed, key, opts, &sum); err != nil {
		return failed(err)
	}
	// The generated batches are garbage now: hand their memory back before
	// the index builds take theirs.
	debug.FreeOSMemory()
	if tg == nil {
		if tg, err = claim(ctx, st, false); err != nil {
			return failed(err)
		}
		if err := tg.begin(ctx, stagers); err != nil {
			return failed(err)
		}
	}
	if err := publish(ctx, tg, info, opts.Cards, stagers); err != nil {
		return failed(err)
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// dbInfo is what the seed reads from the database before it starts.
type dbInfo struct {
	cards int
	// lastCardKey is the cards' largest rowid: the seeded cards follow it.
	lastCardKey int64
	holding     bool
	empty       bool // every table the seed fills is empty
	tables      [numTables]tableSchema
	// names is how to stage the name index; nil to rebuild it in the
	// database instead.
	names *nameIndex
}

func inspect(ctx context.Context, db *sql.DB) (dbInfo, error) {
	var in dbInfo
	if err := db.QueryRowContext(ctx, `SELECT count(*), coalesce(max(rowid), 0) FROM cards`).Scan(&in.cards, &in.lastCardKey); err != nil {
		return in, fmt.Errorf("count cards: %w", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM wallets WHERE kind = 'HOLDING'`).Scan(&n); err != nil {
		return in, fmt.Errorf("find holding wallet: %w", err)
	}
	in.holding = n > 0
	in.empty = true
	var err error
	for t, def := range tableDefs {
		var exists int
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+def.name+`)`).Scan(&exists); err != nil {
			return in, fmt.Errorf("inspect %s: %w", def.name, err)
		}
		in.empty = in.empty && exists == 0
		if in.tables[t], err = readSchema(ctx, db, def.name); err != nil {
			return in, err
		}
	}
	if in.cards == 0 {
		if in.names, err = readNameIndex(ctx, db); err != nil {
			return in, err
		}
	}
	return in, nil
}

// openStagers creates the staging databases next to dbPath, one per entry
// of stages and one for the name index if it is staged; it returns their
// stagers, which the caller closes and removes. With tg set, the movements
// are not staged: their stager loads them through tg, inside its
// transaction.
func openStagers(dbPath string, info dbInfo, tg *target) ([]*stager, error) {
	var stagers []*stager
	n := len(stages)
	if info.names != nil {
		n++
	}
	for i := range n {
		if tg != nil && i < len(stages) && slices.Equal(stages[i], []int{tCardTransactions}) {
			stagers = append(stagers, &stager{c: tg.c, tables: stages[i], inTarget: true})
			continue
		}
		f, err := os.CreateTemp(filepath.Dir(dbPath), stagingPattern(dbPath))
		if err != nil {
			return stagers, fmt.Errorf("create staging database: %w", err)
		}
		f.Close()
		var s *stager
		if i < len(stages) {
			s, err = openStager(f.Name(), info, stages[i])
		} else {
			s, err = openNameStager(f.Name(), info.names)
		}
		if err != nil {
			removeDB(f.Name())
			return stagers, err
		}
		stagers = append(stagers, s)
	}
	trace("staging databases ready")
	return stagers, nil
}

// stage generates the rows and writes them through the stagers, one
// goroutine each, which load them and commit (but for one loading into
// the target, whose transaction goes on).
func stage(ctx context.Context, stagers []*stager, info dbInfo, seed uint64, key []byte, opts Options, sum *Summary) error {

	// One generator feeds every stager; a batch goes back to the free list
	// once all have written their tables from it.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feeds := make([]chan *batch, len(stagers))
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
		order := g.cardOrder(uint64(info.cards), opts.Cards)
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
				g.placeMovements(uint64(done+i), uint64(opts.Cards))
				g.cardKey = info.lastCardKey + int64(done+i) + 1
				g.card(uint64(info.cards) + order[done+i])
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
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if done != opts.Cards {
		return fmt.Errorf("staged %d cards, want %d", done, opts.Cards)
	}
	trace("staged")
	return nil
}

// stager owns one staging database: a plain file with no journal, written
// by one goroutine at a time, holding the tables it is given; see
// tableSchema for how it ends up declared exactly like the real database.
// It loads its rows in one transaction and builds its indexes in a second
// one (finish); in between, and once finished, it holds no lock on the
// file, so that the copy's connection can attach it.
type stager struct {
	path     string
	c        *rawConn
	tables   []int
	inTarget bool     // c is the target's: no file, no transaction of its own
	unique   []string // once the rows are in: constraint indexes,
	swap     []string // the real schema,
	declared []string // the declared indexes
	names    *nameIndex
	nextRow  int64 // the name index: rowid of the next card
}

func openStager(path string, info dbInfo, tables []int) (*stager, error) {
	s := &stager{path: path, tables: tables}
	var stmts []string
	for _, t := range tables {
		ts := &info.tables[t]
		stmts = append(stmts, ts.stagingDDL())
		early, unique, swap, declared := ts.finishStatements(inOrderIndexes)
		stmts = append(stmts, early...)
		s.unique = append(s.unique, unique...)
		s.swap = append(s.swap, swap...)
		s.declared = append(s.declared, declared...)
	}
	return s, s.open(stmts)
}

func (s *stager) open(ddl []string) error {
	c, err := openRaw(s.path)
	if err != nil {
		return fmt.Errorf("open staging database: %w", err)
	}
	s.c = c
	stmts := []string{
		fmt.Sprintf("PRAGMA page_size = %d", stagePageSize),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA foreign_keys = OFF",
		fmt.Sprintf("PRAGMA cache_size = %d", -stageCacheKiB),
		fmt.Sprintf("PRAGMA threads = %d", stageThreads),
	}
	for _, q := range append(stmts, ddl...) {
		if err := c.exec(q); err != nil {
			return fmt.Errorf("staging: %w", err)
		}
	}
	return nil
}

// run writes the stager's rows from every batch on feed, reporting each on
// results, then commits, reporting a nil batch. After an error it drains
// feed.
func (s *stager) run(ctx context.Context, feed <-chan *batch, results chan<- staged) {
	err := s.load(ctx, feed, func(b *batch) { results <- staged{b, nil} })
	for range feed {
	}
	if err != nil {
		err = fmt.Errorf("staging: %w", err)
	}
	results <- staged{nil, err}
}

func (s *stager) load(ctx context.Context, feed <-chan *batch, done func(*batch)) error {
	w := newWriter(ctx, s.c)
	defer w.close()
	if !s.inTarget {
		if err := w.exec("BEGIN"); err != nil {
			return err
		}
	}
	for b := range feed {
		var err error
		if s.names != nil {
			err = w.writeNames(b, s.names, &s.nextRow)
		} else {
			err = w.write(b, s.tables)
		}
		if err != nil {
			return err
		}
		done(b)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.close()
	if s.inTarget {
		return nil
	}
	return w.exec("COMMIT")
}

// finish builds the indexes and closes the stager's connection.
func (s *stager) finish() error {
	if err := s.buildIndexes(); err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	if err := s.c.close(); err != nil {
		return fmt.Errorf("close staging database: %w", err)
	}
	return nil
}

func (s *stager) buildIndexes() error {
	if len(s.unique)+len(s.swap)+len(s.declared) == 0 {
		return nil
	}
	for _, q := range []string{fmt.Sprintf("PRAGMA cache_size = %d", -stageSortKiB), "BEGIN"} {
		if err := s.c.exec(q); err != nil {
			return err
		}
	}
	for _, q := range s.unique {
		trace("staging: %.60s", q)
		if err := s.c.exec(q); err != nil {
			return err
		}
	}
	if len(s.swap) > 0 {
		if err := s.swapSchema(); err != nil {
			return err
		}
	}
	for _, q := range s.declared {
		trace("staging: %.60s", q)
		if err := s.c.exec(q); err != nil {
			return err
		}
	}
	return s.c.exec("COMMIT")
}

// swapSchema rewrites the staging schema to the real one; see
// tableSchema.finishStatements.
func (s *stager) swapSchema() error {
	version, err := s.c.queryInt("PRAGMA schema_version")
	if err != nil {
		return err
	}
	stmts := append([]string{"PRAGMA writable_schema = ON"}, s.swap...)
	stmts = append(stmts, fmt.Sprintf("PRAGMA schema_version = %d", version+1), "PRAGMA writable_schema = OFF")
	for _, q := range stmts {
		if err := s.c.exec(q); err != nil {
			return err
		}
	}
	return nil
}

type staged struct {
	b   *batch
	err error
}

// stagingPattern names the staging databases of the database at dbPath.
func stagingPattern(dbPath string) string { return filepath.Base(dbPath) + ".seed-*.tmp" }

// removeStale deletes staging databases a killed run left behind: those
// not written to for an hour (a live run writes its own continuously).
func removeStale(dbPath string) {
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(dbPath), stagingPattern(dbPath)))
	for _, f := range old {
		if fi, err := os.Stat(f); err == nil && time.Since(fi.ModTime()) > time.Hour {
			removeDB(f)
		}
	}
}

// removeDB deletes a staging database and any files SQLite kept beside it.
func removeDB(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// publish copies the staged tables into the database in tg's transaction,
// each staging database as soon as its indexes are built, and commits.
//
// INSERT INTO t SELECT * FROM staged.t, with the same schema on both sides,
// no triggers and foreign keys off, is SQLite's transfer optimisation: into
// an empty table it copies records and index entries in order without
// decoding them. Into a table that already has rows it is an ordinary
// INSERT … SELECT, slower but the same result.
func publish(ctx context.Context, tg *target, info dbInfo, cards int, stagers []*stager) error {
	// However publish ends, the index builds it starts end first.
	var builds sync.WaitGroup
	defer builds.Wait()

	// A card added since inspect took the next rowid, which the seed's
	// numbers hold for its own first card (card_key): one seek, not a
	// count of the whole table.
	last, err := tg.queryInt(ctx, `SELECT coalesce(max(rowid), 0) FROM main.cards`)
	if err != nil {
		return fmt.Errorf("find the cards' last key: %w", err)
	}
	if last != info.lastCardKey {
		return fmt.Errorf("cards were added while seeding (the last card key is %d, was %d); run again", last, info.lastCardKey)
	}
	trace("publishing (rollback journal: %v)", tg.rollback)

	// Build the indexes, stageWorkers databases at a time, in order; a
	// failure stops the builds not yet started.
	bctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int, len(stagers))
	for _, i := range buildOrder {
		if i < 0 {
			i = len(stages) // the name index
		}
		if i < len(stagers) && !stagers[i].inTarget {
			jobs <- i
		}
	}
	pending := len(jobs)
	close(jobs)
	type built struct {
		i   int
		err error
	}
	ready := make(chan built, len(stagers))
	for range min(stageWorkers, pending) {
		builds.Add(1)
		go func() {
			defer builds.Done()
			for i := range jobs {
				err := bctx.Err()
				if err == nil {
					err = stagers[i].finish()
					trace("built %s", stagers[i].describe())
				}
				ready <- built{i, err}
			}
		}()
	}

	// The name search index follows every inserted card through triggers,
	// which would turn the copy into a row-by-row insert: drop them for the
	// copy and, unless the index was staged, rebuild the index once, in the
	// same transaction.
	ftsBefore, ftsAfter := store.CardSearchBulkLoad()
	for _, q := range ftsBefore {
		if err := tg.exec(ctx, q); err != nil {
			return fmt.Errorf("pause the name search index: %w", err)
		}
	}
	namesStaged := false
	for range pending {
		var b built
		select {
		case b = <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
		if b.err != nil {
			return b.err
		}
		s := stagers[b.i]
		// Reload the staging database's schema, which the index builds
		// have changed since it was attached.
		if _, err := tg.queryInt(ctx, `SELECT count(*) FROM `+stageName(b.i)+`.sqlite_schema`); err != nil {
			return fmt.Errorf("read staging schema: %w", err)
		}
		if s.names != nil {
			if err := copyNameIndex(ctx, tg, stageName(b.i)); err != nil {
				return err
			}
			namesStaged = true
			trace("copied the name search index")
			continue
		}
		for _, t := range s.tables {
			if err := copyTable(ctx, tg, t, stageName(b.i)+"."+tableDefs[t].name); err != nil {
				return err
			}
			trace("copied %s", tableDefs[t].name)
		}
	}
	if err := checkCardKeys(ctx, tg, info.lastCardKey, cards); err != nil {
		return err
	}
	if namesStaged {
		// The staged index numbers the cards 1, 2, … in the order they were
		// generated, as their numbers' card_key does: the rowids just
		// checked.
		ftsAfter = ftsAfter[:len(ftsAfter)-1] // the triggers only
	}
	for _, q := range ftsAfter {
		if err := tg.exec(ctx, q); err != nil {
			return fmt.Errorf("rebuild the name search index: %w", err)
		}
	}
	trace("name search index ready")
	return tg.commit(ctx)
}

// checkCardKeys checks that the copy gave the cards seeded the rowids their
// numbers keep as card_key: last+1, last+2, … in the order generated. A
// copy in that order after the table's last rowid does; anything else
// would leave the former-number searches pointing at other cards. The
// copy added cards rows with distinct rowids, all above last: that they
// run from last+1 to last+cards means they are those (min and max are two
// index seeks, where a count would read the table).
func checkCardKeys(ctx context.Context, tg *target, last int64, cards int) error {
	var got [2]int64
	for i, agg := range []string{"min", "max"} {
		v, err := tg.queryInt(ctx, fmt.Sprintf(`SELECT coalesce(%s(rowid), 0) FROM main.cards WHERE rowid > %d`, agg, last))
		if err != nil {
			return fmt.Errorf("check the cards' rowids: %w", err)
		}
		got[i] = v
	}
	if want := [2]int64{last + 1, last + int64(cards)}; got != want {
		return fmt.Errorf("the cards copied have rowids %d to %d, not the %d to %d their numbers keep", got[0], got[1], want[0], want[1])
	}
	return nil
}

// copyTable copies table t from the staged table from.
func copyTable(ctx context.Context, tg *target, t int, from string) error {
	def := tableDefs[t]
	q := `INSERT INTO main.` + def.name + ` SELECT * FROM ` + from
	if t == tCardNumbers {
		// Staged numbers count their id from 1: into a table that has
		// rows already, let the real table number them.
		exists, err := tg.queryInt(ctx, `SELECT EXISTS (SELECT 1 FROM main.card_numbers)`)
		if err != nil {
			return fmt.Errorf("copy %s: %w", def.name, err)
		}
		if exists == 1 {
			cols := strings.Join(def.cols, ", ")
			q = `INSERT INTO main.card_numbers (` + cols + `) SELECT ` + cols + ` FROM ` + from + ` ORDER BY id`
		}
	}
	if err := tg.exec(ctx, q); err != nil {
		return fmt.Errorf("copy %s: %w", def.name, err)
	}
	return nil
}

func (s *stager) describe() string {
	if s.names != nil {
		return "the name search index"
	}
	var names []string
	for _, t := range s.tables {
		names = append(names, tableDefs[t].name)
	}
	return strings.Join(names, ", ")
}

func stageName(i int) string { return fmt.Sprintf("seed_stage_%d", i) }
