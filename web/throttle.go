package web

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"cardops/store"
)

// Sign-in throttling itself lives in the database (store.ReserveSignIn), so
// a restart forgets nothing. What is here bounds how many audit rows
// anonymous requests may write: a refused anonymous request (a cross-site
// post, a throttled sign-in) is audited, but from one address at most
// anonBurst rows at once and one more every anonRefill; the others are
// counted, and the count goes into the next row that is written.
const (
	anonBurst  = 10
	anonRefill = 6 * time.Second
	// anonMaxKeys bounds memory under a spray of addresses; beyond it new
	// addresses share one bucket.
	anonMaxKeys = 10000
)

type anonLimiter struct {
	mu      sync.Mutex
	buckets map[string]*anonBucket
}

type anonBucket struct {
	tokens float64
	at     time.Time
	// held counts rows not written since the last one that was.
	held int
}

func newAnonLimiter() *anonLimiter {
	return &anonLimiter{buckets: map[string]*anonBucket{}}
}

// take reports whether an anonymous audit row for addr may be written at
// now; if so, held is how many were held back since the last one. first
// reports whether this refusal is the first held back since then.
func (l *anonLimiter) take(addr string, now time.Time) (ok bool, held int, first bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= anonMaxKeys {
			l.sweepLocked(now)
		}
		if len(l.buckets) >= anonMaxKeys {
			addr = "overflow"
			b = l.buckets[addr]
		}
	}
	if b == nil {
		b = &anonBucket{tokens: anonBurst, at: now}
		l.buckets[addr] = b
	}
	b.refill(now)
	if b.tokens < 1 {
		b.held++
		return false, 0, b.held == 1
	}
	b.tokens--
	held, b.held = b.held, 0
	return true, held, false
}

func (b *anonBucket) refill(now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(anonBurst, b.tokens+float64(d)/float64(anonRefill))
		b.at = now
	}
}

// sweepLocked forgets buckets that are full again and hold no count.
func (l *anonLimiter) sweepLocked(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now)
		if b.tokens >= anonBurst && b.held == 0 {
			delete(l.buckets, k)
		}
	}
}

// auditAnonymous audits a refused anonymous request, within the per-address
// budget above. Values taken from the request must already be cut
// (store.Cut); audit cuts them again.
func (s *Server) auditAnonymous(r *http.Request, action, targetType, targetID, detail string) {
	ok, held, first := s.anon.take(store.ThrottleAddress(remoteAddr(r)), s.now())
	if !ok {
		if first {
			s.log.Warn("anonymous audit rows held back", "action", action, "remote", remoteAddr(r), "trace_id", traceID(r))
		}
		return
	}
	if held > 0 {
		detail += fmt.Sprintf("; and %d more refused anonymous request(s) from this address since the last row, not audited one by one", held)
	}
	s.audit(r, nil, action, targetType, targetID, store.ResultRefused, detail)
}
