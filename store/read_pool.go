package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxReadStmts bounds how many distinct query texts the read pool keeps
// prepared. The console asks a few hundred at most (a filter builder makes
// one text per combination of filters); texts past the bound are prepared
// for each use, as without the cache, so a flood of one-off texts costs
// nothing but that.
const maxReadStmts = 512

// readPool is the read-only connection pool. It keeps each query text it
// is asked prepared, on every connection that has run it: SQLite then
// parses and plans a statement once per connection, not once per request.
// A card page asks some twenty queries, and preparing them was about a
// quarter of its CPU (modernc's transpiled SQLite parses slowly). Statements
// are never closed before the pool: a prepared statement holds no snapshot
// between uses, and SQLite prepares it again by itself after a schema
// change.
type readPool struct {
	*sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newReadPool(db *sql.DB) *readPool {
	return &readPool{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns q prepared, or nil when q is past the bound or does not
// prepare (the caller then asks the pool directly and reports its error).
func (p *readPool) stmt(ctx context.Context, q string) *sql.Stmt {
	p.mu.Lock()
	st, ok := p.stmts[q]
	full := len(p.stmts) >= maxReadStmts
	p.mu.Unlock()
	if ok {
		return st
	}
	if full {
		return nil
	}
	// Prepared outside the lock: preparing waits for a free connection,
	// and the statements already kept must not wait behind it.
	st, err := p.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if kept, ok := p.stmts[q]; ok {
		st.Close()
		return kept
	}
	if len(p.stmts) >= maxReadStmts {
		st.Close()
		return nil
	}
	p.stmts[q] = st
	return st
}

func (p *readPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, q, args...)
}

func (p *readPool) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := p.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, q, args...)
}

// Close closes the statements, then the pool.
func (p *readPool) Close() error {
	p.mu.Lock()
	for q, st := range p.stmts {
		st.Close()
		delete(p.stmts, q)
	}
	p.mu.Unlock()
	return p.DB.Close()
}
