package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// Live streams check their session at every keep-alive (seconds apart); a
// session that ends must stop its streams at once, before they send
// anything more. The store fires sessionSignal after every commit that
// ended a session, and each stream then checks its own. (A session ended
// by another process, the command line, is still found at the next
// keep-alive.)

// sessionSignal is a broadcast: wait returns a channel that is closed by
// the next fire.
type sessionSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (g *sessionSignal) wait() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch == nil {
		g.ch = make(chan struct{})
	}
	return g.ch
}

func (g *sessionSignal) fire() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ch != nil {
		close(g.ch)
		g.ch = nil
	}
}

// SessionsEnded returns a channel that is closed once a session ends
// after the call (signed out, ended by an admin or by its person, its user
// disabled, demoted or locked out, expired). Take a new one before
// checking the session, so that no end is missed in between.
func (s *Store) SessionsEnded() <-chan struct{} { return s.sessionEnds.wait() }

// WatchSessionEnds fires SessionsEnded when another process (the command
// line) deleted sessions: it reads the count of deletions (kept by a
// trigger on sessions) every `every` until ctx ends, and fires when it
// moved. Deletions by this process are signalled at their commit and again
// here, which only has the streams check their sessions once more. report
// gets each failed read.
func (s *Store) WatchSessionEnds(ctx context.Context, every time.Duration, report func(error)) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	seen := int64(-1)
	for {
		var n int64
		err := s.r.QueryRowContext(ctx, `SELECT n FROM session_ends WHERE one = 1`).Scan(&n)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				report(fmt.Errorf("store: count session ends: %w", err))
			}
		case n != seen:
			if seen >= 0 {
				s.sessionEnds.fire()
			}
			seen = n
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// sessionsEndedTx has SessionsEnded fire once tx commits (not before: a
// stream that checked its session then would still find it).
func (s *Store) sessionsEndedTx(tx *sql.Tx) { s.afterCommit(tx, s.sessionEnds.fire) }

// afterCommit runs fn once tx has committed; nothing if it rolls back.
func (s *Store) afterCommit(tx *sql.Tx, fn func()) {
	s.commitHooksMu.Lock()
	defer s.commitHooksMu.Unlock()
	if s.commitHooks == nil {
		s.commitHooks = map[*sql.Tx][]func(){}
	}
	s.commitHooks[tx] = append(s.commitHooks[tx], fn)
}

// takeCommitHooks removes and returns tx's hooks.
func (s *Store) takeCommitHooks(tx *sql.Tx) []func() {
	s.commitHooksMu.Lock()
	defer s.commitHooksMu.Unlock()
	fns := s.commitHooks[tx]
	delete(s.commitHooks, tx)
	return fns
}
