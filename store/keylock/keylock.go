// Package keylock is one mutex per key (an API key's Idempotency-Key, a
// user id), made when first waited for and dropped once no one holds or
// waits for it. A wait ends with its context, so no caller waits on a lock
// without a deadline.
package keylock

import (
	"context"
	"sync"
)

// Locks is a mutex per key; the zero value is ready.
type Locks[K comparable] struct {
	mu sync.Mutex
	m  map[K]*entry
}

type entry struct {
	held  chan struct{} // holds one token while the key is locked
	users int           // holders and waiters
}

// Lock waits until k is free or ctx ends; on success the returned unlock
// frees k (call it once).
func (l *Locks[K]) Lock(ctx context.Context, k K) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[K]*entry{}
	}
	e := l.m[k]
	if e == nil {
		e = &entry{held: make(chan struct{}, 1)}
		l.m[k] = e
	}
	e.users++
	l.mu.Unlock()
	select {
	case e.held <- struct{}{}:
		return func() {
			<-e.held
			l.leave(k, e)
		}, nil
	case <-ctx.Done():
		l.leave(k, e)
		return nil, ctx.Err()
	}
}

func (l *Locks[K]) leave(k K, e *entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e.users--; e.users == 0 {
		delete(l.m, k)
	}
}

// Len reports how many keys are held or waited for (for tests).
func (l *Locks[K]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
