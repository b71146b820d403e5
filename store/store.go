// Package store keeps everything cardops knows in one SQLite file: the
// console's users, sessions and audit log, and the sandbox issuer's cards,
// wallets and movements. It owns every SQL statement; callers use its
// methods, and each domain change is one method with its own transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// ErrNotFound is returned when the asked-for row does not exist.
var ErrNotFound = errors.New("not found")

// Store is the SQLite database. Writes go through a single connection so that
// there is exactly one writer; reads use a pool of their own, which WAL lets
// run beside the writer.
type Store struct {
	w    *sql.DB
	r    *sql.DB
	path string
	now  func() time.Time

	// panKey keys HashPAN; it is never written to the database (see
	// pankey.go). panKeyFile is where it was read from, if a file.
	panKey     []byte
	panKeyFile string

	// The event receiver's group commit (event.go): one writer goroutine,
	// started on first use, stopped by Close, and the commit listeners.
	ingOnce     sync.Once
	ingStop     sync.Once
	ing         *ingester
	evMu        sync.Mutex
	evNext      int
	evListeners map[int]func([]Event)
	stmtMu      sync.Mutex
	stmts       map[string]*sql.Stmt
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
	s := &Store{w: w, r: r, path: path, now: time.Now}
	for _, step := range []func(context.Context) error{
		func(ctx context.Context) error { return s.setUpPANKey(ctx, opts) },
		s.migrate, s.checkPANKey, s.vacuumIfPending,
	} {
		if err := step(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
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

// inTx runs fn in one write transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Writer and Reader expose the pools to the store's sibling packages (the
// seed generator) that write in bulk; the web layer never uses them.
func (s *Store) Writer() *sql.DB { return s.w }

// Reader returns the read-only pool; see Writer.
func (s *Store) Reader() *sql.DB { return s.r }
