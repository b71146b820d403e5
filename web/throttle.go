package web

import (
	"strings"
	"sync"
	"time"
)

// Sign-in throttling: after too many failures in the window, an account (or
// an address) must wait until the oldest failure leaves the window.
const (
	throttleWindow     = 15 * time.Minute
	maxFailsPerAccount = 5
	maxFailsPerAddress = 20
	// throttleMaxKeys bounds memory under a spray of usernames.
	throttleMaxKeys = 50000
)

type loginThrottle struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{fails: map[string][]time.Time{}}
}

func accountKey(username string) string { return "u:" + strings.ToLower(strings.TrimSpace(username)) }
func addressKey(addr string) string     { return "a:" + addr }

// blockedFor reports how long a sign-in for this account from this address
// must still wait; zero means it may go ahead.
func (t *loginThrottle) blockedFor(username, addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	wait := t.waitLocked(accountKey(username), maxFailsPerAccount, now)
	return max(wait, t.waitLocked(addressKey(addr), maxFailsPerAddress, now))
}

func (t *loginThrottle) waitLocked(key string, limit int, now time.Time) time.Duration {
	fails := t.recentLocked(key, now)
	if len(fails) < limit {
		return 0
	}
	return fails[len(fails)-limit].Add(throttleWindow).Sub(now)
}

// recentLocked drops failures that left the window and returns the rest.
func (t *loginThrottle) recentLocked(key string, now time.Time) []time.Time {
	fails := t.fails[key]
	i := 0
	for i < len(fails) && now.Sub(fails[i]) >= throttleWindow {
		i++
	}
	fails = fails[i:]
	if len(fails) == 0 {
		delete(t.fails, key)
		return nil
	}
	t.fails[key] = fails
	return fails
}

// fail records a failed sign-in for the account and the address.
func (t *loginThrottle) fail(username, addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.fails) > throttleMaxKeys {
		for k := range t.fails {
			t.recentLocked(k, now)
		}
	}
	for _, k := range []string{accountKey(username), addressKey(addr)} {
		fails := append(t.recentLocked(k, now), now)
		if len(fails) > maxFailsPerAddress {
			fails = fails[len(fails)-maxFailsPerAddress:]
		}
		t.fails[k] = fails
	}
}

// succeed forgets the account's failures after a good sign-in.
func (t *loginThrottle) succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, accountKey(username))
}
