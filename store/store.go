// Package store keeps everything cardops knows in one SQLite file: the
// console's users, sessions and audit log, and the sandbox issuer's cards,
// wallets and movements. It owns every SQL statement; callers use its
// methods, and each domain change is one method with its own transaction.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
	sqlite3 "modernc.org/sqlite/lib"

	"cardops/store/keylock"
)

// ErrNotFound is returned when the asked-for row does not exist.
var ErrNotFound = errors.New("not found")

// ErrBusy is returned when a write could not be done within the write
// timeout because the database is locked (another process holds its write
// lock) or the writer is taken for longer than that. Nothing was written;
// the same write may succeed later.
var ErrBusy = errors.New("database busy")

// DefaultWriteTimeout is how long a write waits for the database before it
// fails with ErrBusy, unless SetWriteTimeout says otherwise.
const DefaultWriteTimeout = 5 * time.Second

// Store is the SQLite database. Writes go through a single connection so that
// there is exactly one writer; reads use a pool of their own, which WAL lets
// run beside the writer.
type Store struct {
	// sessionEnds fires after a commit that ended a session; commitHooks
	// holds what runs after a transaction's commit (afterCommit).
	sessionEnds   sessionSignal
	commitHooksMu sync.Mutex
	commitHooks   map[*sql.Tx][]func()

	w    *sql.DB
	r    *readPool
	path string
	now  func() time.Time

	// panKey keys HashPAN; it is never written to the database (see
	// pankey.go). panKeyFile is where it was read from, if a file.
	panKey     []byte
	panKeyFile string
	// makePANKeyDir is Options.MakePANKeyDir.
	makePANKeyDir bool

	// What Options set: the work factor of new password hashes, how many
	// refused deliveries are kept, how a reissue draws a number.
	bcryptCost   int
	refusalsKept int64
	newPAN       func(bin string) (string, error)
	log          *slog.Logger // nil: silent (Options.Logger)

	// The event receiver's group commit (event.go): one writer goroutine,
	// started on first use, stopped by Close, and the commit listeners.
	ingOnce     sync.Once
	ingStop     sync.Once
	ing         *ingester
	evMu        sync.Mutex
	evNext      int
	evListeners map[int]func([]Event)
	cardWatch   cardWatchers
	stmtMu      sync.Mutex
	stmts       map[string]*sql.Stmt
	// afterTextRead, when set (by tests), runs in IndexEventText between
	// reading a batch and writing it.
	afterTextRead func()

	// stepUp lets one step-up password check per admin run at a time
	// (auth_failure.go).
	stepUp keylock.Locks[int64]
	// writeTimeout bounds every write (SetWriteTimeout), in nanoseconds.
	writeTimeout atomic.Int64
	// writes is the outcome of recent writes, for CheckWrite.
	writes writeHealth
}

// writeHealth remembers the latest write that failed because the database
// could not store it (full disk, read-only file, I/O error) and the latest
// write that succeeded.
type writeHealth struct {
	mu      sync.Mutex
	okAt    time.Time
	failAt  time.Time
	failErr error
}

// recentWriteFailure is how long a failed write keeps CheckWrite failing,
// unless a later write succeeds.
const recentWriteFailure = 30 * time.Second

// note records the outcome of a write.
func (h *writeHealth) note(err error) {
	if err != nil && !storageFailure(err) {
		return // a refusal, a missing row, a cancelled request: says nothing of the disk
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err == nil {
		h.okAt = time.Now()
		return
	}
	h.failAt, h.failErr = time.Now(), err
}

// failing returns the failure of the latest write if it failed less than
// recentWriteFailure ago.
func (h *writeHealth) failing() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failErr == nil || h.okAt.After(h.failAt) || time.Since(h.failAt) > recentWriteFailure {
		return nil
	}
	return h.failErr
}

// storageFailure reports whether err says the database cannot store writes:
// a full disk, a read-only or unopenable file, an I/O error, corruption. A
// locked database is not one: CheckWrite sees it for itself.
func storageFailure(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR,
		sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// Open opens (creating if needed) the database at path, with the
// card-number key in the default key file beside it; see OpenWith.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith opens (creating if needed) the database at path and applies the
// migrations the binary carries. It refuses a database that a newer binary has
// migrated, and (with ErrPANKey) one that holds card numbers when the key
// of their hashes is missing or wrong. The database and its WAL and shared
// memory files are created with mode 0600, and an existing database file
// that others could read is set to 0600.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	if err := privateFiles(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s := &Store{w: w, r: newReadPool(r), path: path, now: time.Now,
		bcryptCost: cmp.Or(opts.BcryptCost, DefaultBcryptCost), refusalsKept: cmp.Or(opts.RefusalsKept, MaxRefusals),
		newPAN: opts.NewPAN, log: opts.Logger, makePANKeyDir: opts.MakePANKeyDir}
	if s.newPAN == nil {
		s.newPAN = RandomPAN
	}
	s.writeTimeout.Store(int64(DefaultWriteTimeout))
	for _, step := range []func(context.Context) error{
		func(ctx context.Context) error { return s.setUpPANKey(ctx, opts) },
		func(ctx context.Context) error { return s.withTempFiles(ctx, s.migrate) },
		s.checkPANKey, s.sealLegacyTOTPSecrets, s.keyLegacyRecoveryCodes,
		func(ctx context.Context) error { return s.withTempFiles(ctx, s.vacuumIfPending) },
	} {
		if err := step(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// withTempFiles runs fn with the writer's temporary files on disk, in the
// system's temporary directory (as the seed's index builds have them). The
// writer keeps them in memory for the group commit's statement journals,
// but then SQLite's sorter holds a whole index build in memory (1.6 GB of
// RSS for one index over the 11 million numbers of 10M cards) and VACUUM
// its whole copy of the database. The setting the writer had (its DSN's)
// is read first and put back, so the two cannot drift apart.
func (s *Store) withTempFiles(ctx context.Context, fn func(context.Context) error) (err error) {
	var before int // 0 default, 1 file, 2 memory
	if err := s.w.QueryRowContext(ctx, `PRAGMA temp_store`).Scan(&before); err != nil {
		return fmt.Errorf("store: read temp_store: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA temp_store = FILE`); err != nil {
		return fmt.Errorf("store: temporary files on disk: %w", err)
	}
	defer func() {
		// before is an integer SQLite returned, not outside text.
		if _, backErr := s.w.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA temp_store = %d`, before)); backErr != nil {
			err = errors.Join(err, fmt.Errorf("store: temp_store back to %d: %w", before, backErr))
		}
	}()
	return fn(ctx)
}

// privateFiles creates the database file with mode 0600 before SQLite opens
// it, as SQLite gives the WAL and shared-memory files the database file's
// mode. Existing files that others can read are set to 0600.
func privateFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, fi.Mode().Perm()&0o700); err != nil {
			return fmt.Errorf("store: make %s private: %w", p, err)
		}
	}
	return nil
}

// dsn builds a modernc.org/sqlite data source name. Write transactions begin
// IMMEDIATE so two writers never deadlock upgrading a read lock; readers are
// query_only so a stray write on the read pool fails loudly.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// Statement journals (each upsert of the group commit opens one)
		// stay in memory rather than in a temporary file.
		q.Add("_pragma", "temp_store(memory)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Close stops the event ingest (after its current batch) and closes both
// connection pools.
func (s *Store) Close() error {
	s.stopIngest()
	return errors.Join(s.r.Close(), s.w.Close())
}

// Path reports the database file the store was opened on.
func (s *Store) Path() string { return s.path }

// Ping reports whether the database answers a query, for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// SetClock replaces the store's clock; tests use it to move time.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) nowMs() int64 { return s.now().UnixMilli() }

// SetWriteTimeout sets how long a write may take, waiting for the database's
// write lock included, before it fails with ErrBusy (DefaultWriteTimeout
// until set); d <= 0 means no limit.
func (s *Store) SetWriteTimeout(d time.Duration) { s.writeTimeout.Store(int64(d)) }

// writeCtx returns ctx bounded by the write timeout.
func (s *Store) writeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := time.Duration(s.writeTimeout.Load()); d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

// busy returns err marked as ErrBusy when it says the database was locked,
// or when the write's own deadline (wctx) ran out while its caller's context
// (ctx) was still live; otherwise err unchanged.
func busy(ctx, wctx context.Context, err error) error {
	if err == nil || errors.Is(err, ErrBusy) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", ErrBusy, err)
		}
	}
	if wctx.Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: no answer within the write timeout: %w", ErrBusy, err)
	}
	return err
}

// inTx runs fn in one write transaction under the write timeout, committing
// when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	err := s.timedTx(ctx, fn)
	s.writes.note(err)
	return err
}

// timedTx is inTx without noting the outcome.
func (s *Store) timedTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	wctx, cancel := s.writeCtx(ctx)
	defer cancel()
	return busy(ctx, wctx, s.inTxUntimed(wctx, fn))
}

// inTxUntimed is inTx without the write timeout, for the migrations, which
// run once at start-up and may take long on a large database.
func (s *Store) inTxUntimed(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		s.takeCommitHooks(tx)
		return err
	}
	err = tx.Commit()
	for _, hook := range s.takeCommitHooks(tx) {
		if err == nil {
			hook()
		}
	}
	return err
}

// exec runs one write statement outside a transaction, under the write
// timeout.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	wctx, cancel := s.writeCtx(ctx)
	defer cancel()
	res, err := s.w.ExecContext(wctx, query, args...)
	err = busy(ctx, wctx, err)
	s.writes.note(err)
	return res, err
}

// timedWriter is the writer pool as an execer whose statements run under
// the write timeout.
type timedWriter struct{ s *Store }

func (w timedWriter) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return w.s.exec(ctx, query, args...)
}

// CheckWrite reports whether the database takes writes. It fails while a
// write failed for want of storage (full disk, read-only file, I/O error)
// within the last 30 seconds and none succeeded since; otherwise it takes
// the write lock and updates a heartbeat row, under the write timeout (and
// ctx): a locked database gives ErrBusy. The heartbeat alone would miss a
// full disk, as it rewrites a page the database already has.
func (s *Store) CheckWrite(ctx context.Context) error {
	if err := s.writes.failing(); err != nil {
		return fmt.Errorf("store: check write: a recent write failed: %w", err)
	}
	err := s.timedTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO heartbeat(id, at) VALUES (1, ?)
			ON CONFLICT(id) DO UPDATE SET at = excluded.at`, s.nowMs())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: check write: %w", err)
	}
	return nil
}

// Writer and Reader expose the pools to the store's sibling packages (the
// seed generator) that write in bulk; the web layer never uses them.
func (s *Store) Writer() *sql.DB { return s.w }

// Reader returns the read-only pool; see Writer.
func (s *Store) Reader() *sql.DB { return s.r.DB }
