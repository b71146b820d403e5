package hub

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

// collect receives from s until C is closed.
func collect(s *Subscription[int]) []int {
	var got []int
	for v := range s.C {
		got = append(got, v)
	}
	return got
}

// within fails the test if f does not return within d: a hub that blocks
// must fail the test, not hang it.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("want %s to finish within %v, got still running", what, d)
	}
}

func TestEverySubscriberGetsEveryMessageInOrder(t *testing.T) {
	const subscribers, messages = 50, 1000
	h := New[int](messages)
	subs := make([]*Subscription[int], subscribers)
	results := make([][]int, subscribers)
	var wg sync.WaitGroup
	for i := range subs {
		subs[i] = h.Subscribe()
		wg.Go(func() { results[i] = collect(subs[i]) })
	}
	if got := h.Len(); got != subscribers {
		t.Fatalf("want Len %d, got %d", subscribers, got)
	}
	for i := range messages {
		h.Publish(i)
	}
	h.Close()
	within(t, 10*time.Second, "the subscribers", wg.Wait)

	for i, got := range results {
		if len(got) != messages {
			t.Fatalf("subscriber %d: want %d messages, got %d", i, messages, len(got))
		}
		for j, v := range got {
			if v != j {
				t.Fatalf("subscriber %d: want message %d at position %d, got %d", i, j, j, v)
			}
		}
		if d := subs[i].Dropped(); d != 0 {
			t.Errorf("subscriber %d: want 0 dropped, got %d", i, d)
		}
		if n := len(subs[i].Resync); n != 0 {
			t.Errorf("subscriber %d: want no resync, got %d", i, n)
		}
	}
}

func TestSmallBuffersKeepOrderAndAccountForDrops(t *testing.T) {
	// With buffers far smaller than the burst, drops are likely; whatever a
	// subscriber does get must be in order, and every gap must be counted
	// and signalled.
	const subscribers, messages = 20, 5000
	h := New[int](8)
	subs := make([]*Subscription[int], subscribers)
	results := make([][]int, subscribers)
	var wg sync.WaitGroup
	for i := range subs {
		subs[i] = h.Subscribe()
		wg.Go(func() { results[i] = collect(subs[i]) })
	}
	for i := range messages {
		h.Publish(i)
	}
	h.Close()
	within(t, 10*time.Second, "the subscribers", wg.Wait)

	for i, got := range results {
		for j := 1; j < len(got); j++ {
			if got[j] <= got[j-1] {
				t.Fatalf("subscriber %d: want increasing messages, got %d after %d", i, got[j], got[j-1])
			}
		}
		dropped := subs[i].Dropped()
		if uint64(len(got))+dropped != messages {
			t.Errorf("subscriber %d: want received+dropped = %d, got %d+%d", i, messages, len(got), dropped)
		}
		if resync := len(subs[i].Resync); (dropped > 0) != (resync == 1) {
			t.Errorf("subscriber %d: want a resync exactly when messages were dropped, got %d dropped and %d resyncs", i, dropped, resync)
		}
	}
}

func TestSlowSubscriberGetsResyncAndSlowsNoOne(t *testing.T) {
	const messages = 100
	h := New[int](4)
	slow := h.Subscribe() // never reads until the end
	fast := h.Subscribe()
	var got []int
	var wg sync.WaitGroup
	wg.Go(func() { got = collect(fast) })

	within(t, 5*time.Second, "Publish past a stuck subscriber", func() {
		for i := range messages {
			h.Publish(i)
			// Give the fast reader time to keep up, so only the slow one
			// falls behind.
			for len(fast.C) > 0 {
				time.Sleep(10 * time.Microsecond)
			}
		}
	})
	fast.Close()
	within(t, 5*time.Second, "the fast subscriber", wg.Wait)

	if len(got) != messages {
		t.Errorf("fast: want %d messages, got %d", messages, len(got))
	}
	if d := fast.Dropped(); d != 0 {
		t.Errorf("fast: want 0 dropped, got %d", d)
	}
	select {
	case <-fast.Resync:
		t.Errorf("fast: want no resync, got one")
	default:
	}

	select {
	case <-slow.Resync:
	default:
		t.Fatalf("slow: want a resync, got none")
	}
	select {
	case <-slow.Resync:
		t.Errorf("slow: want a single pending resync, got a second")
	default:
	}
	if d := slow.Dropped(); d != messages-4 {
		t.Errorf("slow: want %d dropped, got %d", messages-4, d)
	}
	slow.Close()
	if buffered := collect(slow); len(buffered) != 4 || buffered[0] != 0 || buffered[3] != 3 {
		t.Errorf("slow: want the first 4 messages [0 1 2 3] still buffered, got %v", buffered)
	}
}

func TestResyncIsSignalledAgainAfterBeingConsumed(t *testing.T) {
	h := New[int](1)
	s := h.Subscribe()
	defer s.Close()
	h.Publish(1)
	h.Publish(2) // dropped
	<-s.Resync
	<-s.C
	h.Publish(3)
	h.Publish(4) // dropped
	select {
	case <-s.Resync:
	default:
		t.Fatalf("want a second resync after the first was consumed, got none")
	}
	if d := s.Dropped(); d != 2 {
		t.Errorf("want 2 dropped, got %d", d)
	}
}

func TestUnsubscribeRemoves(t *testing.T) {
	h := New[int](4)
	subs := make([]*Subscription[int], 5)
	for i := range subs {
		subs[i] = h.Subscribe()
	}
	// Remove from the middle, the end and the start of the subscriber list.
	for _, i := range []int{2, 4, 0} {
		subs[i].Close()
		subs[i].Close() // idempotent
	}
	if got := h.Len(); got != 2 {
		t.Fatalf("want Len 2, got %d", got)
	}
	h.Publish(7)
	for _, i := range []int{1, 3} {
		select {
		case v := <-subs[i].C:
			if v != 7 {
				t.Errorf("subscriber %d: want 7, got %d", i, v)
			}
		default:
			t.Errorf("subscriber %d: want 7, got nothing", i)
		}
	}
	for _, i := range []int{0, 2, 4} {
		if v, ok := <-subs[i].C; ok {
			t.Errorf("subscriber %d: want a closed channel, got %d", i, v)
		}
	}
	subs[1].Close()
	subs[3].Close()
	if got := h.Len(); got != 0 {
		t.Errorf("want Len 0, got %d", got)
	}
	h.Publish(8) // no subscribers: must neither block nor panic

	// A fresh subscription after removals still works.
	s := h.Subscribe()
	h.Publish(9)
	if v := <-s.C; v != 9 {
		t.Errorf("want 9, got %d", v)
	}
	s.Close()
}

func TestHubCloseEndsAllSubscribers(t *testing.T) {
	h := New[int](8)
	const subscribers = 10
	results := make([][]int, subscribers)
	subs := make([]*Subscription[int], subscribers)
	var wg sync.WaitGroup
	for i := range subs {
		subs[i] = h.Subscribe()
	}
	for i := range 3 {
		h.Publish(i)
	}
	for i := range subs {
		wg.Go(func() { results[i] = collect(subs[i]) })
	}
	h.Close()
	within(t, 5*time.Second, "every subscriber after hub Close", wg.Wait)
	for i, got := range results {
		if len(got) != 3 {
			t.Errorf("subscriber %d: want the 3 messages published before Close, got %v", i, got)
		}
	}
	if got := h.Len(); got != 0 {
		t.Errorf("want Len 0 after Close, got %d", got)
	}

	h.Close()       // idempotent
	subs[0].Close() // closing a subscription after its hub is fine
	h.Publish(99)   // a no-op, not a panic on a closed channel

	late := h.Subscribe()
	if v, ok := <-late.C; ok {
		t.Errorf("want a subscription to a closed hub to start closed, got %d", v)
	}
	late.Close()
	if got := h.Len(); got != 0 {
		t.Errorf("want Len 0, got %d", got)
	}
}

func TestCloseWhilePublishing(t *testing.T) {
	h := New[int](2)
	stop := make(chan struct{})
	var publishers, churners sync.WaitGroup
	for p := range 4 {
		publishers.Go(func() {
			for i := p; ; i += 4 {
				select {
				case <-stop:
					return
				default:
				}
				h.Publish(i)
			}
		})
	}
	for range 8 {
		churners.Go(func() {
			for range 200 {
				s := h.Subscribe()
				for range 3 {
					select {
					case <-s.C:
					case <-s.Resync:
					default:
						runtime.Gosched()
					}
				}
				// Two concurrent Closes of one subscription must both be safe.
				var both sync.WaitGroup
				both.Go(s.Close)
				both.Go(s.Close)
				both.Wait()
			}
		})
	}
	// Subscribers that stay to the end are closed by the hub while the
	// publishers are still running.
	stayers := make([]*Subscription[int], 16)
	for i := range stayers {
		stayers[i] = h.Subscribe()
	}
	within(t, 30*time.Second, "churning subscribers", churners.Wait)
	var closers sync.WaitGroup
	closers.Go(h.Close)
	for _, s := range stayers[:8] {
		closers.Go(s.Close)
	}
	within(t, 5*time.Second, "closing during publishing", closers.Wait)
	close(stop)
	within(t, 5*time.Second, "the publishers", publishers.Wait)

	if got := h.Len(); got != 0 {
		t.Errorf("want Len 0, got %d", got)
	}
	for _, s := range stayers {
		for range s.C { // drains, then must end because C is closed
		}
	}
}

func TestNewBufferAtLeastOne(t *testing.T) {
	for _, n := range []int{-5, 0, 1, 16} {
		s := New[string](n).Subscribe()
		if want, got := max(n, 1), cap(s.C); got != want {
			t.Errorf("New(%d): want buffer %d, got %d", n, want, got)
		}
		if got := cap(s.Resync); got != 1 {
			t.Errorf("New(%d): want Resync capacity 1, got %d", n, got)
		}
	}
}

func TestPublishDoesNotAllocate(t *testing.T) {
	type event struct {
		ID      int64
		Payload string
	}
	h := New[event](4)
	subs := make([]*Subscription[event], 100)
	for i := range subs {
		subs[i] = h.Subscribe()
	}
	defer h.Close()
	msg := event{ID: 1, Payload: "x"}
	// Covers both paths: the first runs fill the buffers, the rest drop.
	if n := testing.AllocsPerRun(100, func() { h.Publish(msg) }); n != 0 {
		t.Errorf("want 0 allocations per Publish to 100 subscribers, got %v", n)
	}
}

func benchmarkPublish(b *testing.B, subscribers int, drain bool) {
	h := New[int64](1024)
	var wg sync.WaitGroup
	for range subscribers {
		s := h.Subscribe()
		if drain {
			wg.Go(func() {
				for range s.C {
				}
			})
		}
	}
	b.ReportAllocs()
	var i int64
	for b.Loop() {
		h.Publish(i)
		i++
	}
	b.StopTimer()
	h.Close()
	wg.Wait()
}

// BenchmarkPublish100Subscribers measures Publish to 100 subscribers that
// keep up (each drained by its own goroutine).
func BenchmarkPublish100Subscribers(b *testing.B) { benchmarkPublish(b, 100, true) }

// BenchmarkPublish100StuckSubscribers measures Publish when all 100
// subscribers have stopped reading, so every send takes the drop path.
func BenchmarkPublish100StuckSubscribers(b *testing.B) { benchmarkPublish(b, 100, false) }
