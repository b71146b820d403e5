package web

import "sync"

// maxStreamsPerUser is how many live streams (route.stream) one person may
// hold open at once: a page holds one, so it is a few dozen tabs. Over
// HTTP/2 many streams share one connection, so the per-address connection
// cap alone does not bound them, and each one is a subscriber with its
// own buffers.
const maxStreamsPerUser = 32

// streamSlots counts the live streams open per user.
type streamSlots struct {
	mu   sync.Mutex
	open map[int64]int
}

// take holds a slot for userID, if one is free; release gives it back
// (call it once).
func (s *streamSlots) take(userID int64) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == nil {
		s.open = map[int64]int{}
	}
	if s.open[userID] >= maxStreamsPerUser {
		return nil, false
	}
	s.open[userID]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.open[userID]--; s.open[userID] <= 0 {
			delete(s.open, userID)
		}
	}, true
}
