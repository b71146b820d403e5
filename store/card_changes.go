package store

import "sync"

// cardWatchers are told the id of a card whose own state (status, number)
// a committed change has just altered, so that pages showing the card can
// refresh. Changes that come with a notification (a simulation's) reach
// them through OnEvents instead.
type cardWatchers struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(cardID string)
}

// OnCardChanged calls fn with a card's id after each committed freeze,
// unfreeze or reissue of it. fn must not block. The returned func stops
// the calls.
func (s *Store) OnCardChanged(fn func(cardID string)) (remove func()) {
	w := &s.cardWatch
	w.mu.Lock()
	defer w.mu.Unlock()
	w.next++
	id := w.next
	if w.fns == nil {
		w.fns = map[int]func(string){}
	}
	w.fns[id] = fn
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.fns, id)
	}
}

// cardChanged tells the watchers; call it after the commit.
func (s *Store) cardChanged(cardID string) {
	w := &s.cardWatch
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, fn := range w.fns {
		fn(cardID)
	}
}
