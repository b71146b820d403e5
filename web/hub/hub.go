// Package hub fans messages out to in-process subscribers, such as the
// Server-Sent Events handlers of the live event log.
//
// A Hub never waits for a subscriber. Each subscription has a buffer; when a
// subscriber falls so far behind that its buffer is full, the message is
// dropped for that subscriber alone and its Resync channel is signalled, so
// it can catch up from the database, which holds every event anyway.
package hub

import (
	"sync"
	"sync/atomic"
)

// A Hub delivers each published message to every current subscriber. The
// zero value is not usable; call New. A Hub is safe for concurrent use.
type Hub[T any] struct {
	buffer int

	// subs is an immutable snapshot of the subscribers, replaced whole
	// (copy-on-write) when one joins or leaves. Publish only loads it, so
	// publishers never wait for subscribers coming and going, nor for one
	// another.
	subs atomic.Pointer[[]*Subscription[T]]

	mu     sync.Mutex // serialises changes to subs and closed
	closed bool
}

// New returns a Hub whose subscriptions buffer up to buffer messages each. A
// buffer less than 1 is treated as 1.
func New[T any](buffer int) *Hub[T] {
	return &Hub[T]{buffer: max(buffer, 1)}
}

// A Subscription receives the messages published on its Hub after Subscribe
// returned it, in the order a single publisher published them.
type Subscription[T any] struct {
	// C delivers the messages. It is closed when the subscription or its
	// Hub is closed, so a receiver can range over it.
	C <-chan T

	// Resync receives a value when at least one message was dropped because
	// C was full. The receiver should then reload what it shows from the
	// source of truth. Drops that happen while a signal is already pending
	// add no second one. Resync is never closed.
	Resync <-chan struct{}

	c       chan T
	resync  chan struct{}
	dropped atomic.Uint64
	h       *Hub[T]

	// mu makes closing c and sending on it mutually exclusive: a Publish
	// that loaded a snapshot just before this subscription left it may still
	// reach here, and must find it closed rather than panic. The lock is only
	// ever held for a non-blocking send, so Close never waits long.
	mu     sync.Mutex
	closed bool
}

// Subscribe returns a new subscription to h. The caller must Close it when
// done. On a closed Hub it returns a subscription whose C is already closed.
func (h *Hub[T]) Subscribe() *Subscription[T] {
	s := &Subscription[T]{
		c:      make(chan T, h.buffer),
		resync: make(chan struct{}, 1),
		h:      h,
	}
	s.C, s.Resync = s.c, s.resync

	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.close()
		return s
	}
	var old []*Subscription[T]
	if p := h.subs.Load(); p != nil {
		old = *p
	}
	next := make([]*Subscription[T], len(old), len(old)+1)
	copy(next, old)
	next = append(next, s)
	h.subs.Store(&next)
	return s
}

// Publish sends msg to every subscriber without waiting for any of them. A
// subscriber whose buffer is full misses msg and is signalled on its Resync
// channel. Publish on a closed Hub does nothing.
//
// Messages from one goroutine arrive in the order they were published; the
// order of messages published concurrently is unspecified.
func (h *Hub[T]) Publish(msg T) {
	p := h.subs.Load()
	if p == nil {
		return
	}
	for _, s := range *p {
		s.send(msg)
	}
}

func (s *Subscription[T]) send(msg T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.c <- msg:
	default:
		s.dropped.Add(1)
		select {
		case s.resync <- struct{}{}:
		default: // a resync is already pending; one is enough
		}
	}
}

// Len returns the number of open subscriptions.
func (h *Hub[T]) Len() int {
	if p := h.subs.Load(); p != nil {
		return len(*p)
	}
	return 0
}

// Close closes every subscription's C channel, so that their receivers
// finish, and makes later Publish calls do nothing and later subscriptions
// start closed. Close is idempotent.
func (h *Hub[T]) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	if p := h.subs.Swap(nil); p != nil {
		for _, s := range *p {
			s.close()
		}
	}
}

// Close removes s from its Hub and closes s.C. Messages still buffered in C
// can be received until it is drained. Close is idempotent and may be called
// concurrently with Publish and with Close on the Hub.
func (s *Subscription[T]) Close() {
	h := s.h
	h.mu.Lock()
	if p := h.subs.Load(); p != nil {
		old := *p
		for i, x := range old {
			if x == s {
				next := make([]*Subscription[T], 0, len(old)-1)
				next = append(next, old[:i]...)
				next = append(next, old[i+1:]...)
				h.subs.Store(&next)
				break
			}
		}
	}
	h.mu.Unlock()
	s.close()
}

func (s *Subscription[T]) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.c)
	}
}

// Dropped returns how many messages s has missed because its buffer was
// full.
func (s *Subscription[T]) Dropped() uint64 {
	return s.dropped.Load()
}
