package keylock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestLocksOnePerKey: holders of one key run one at a time, other keys do
// not wait for them, and the map forgets a key once no one holds it.
func TestLocksOnePerKey(t *testing.T) {
	var l Locks[string]
	ctx := context.Background()
	var mu sync.Mutex
	inside, most := 0, 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			unlock, err := l.Lock(ctx, "a")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			most = max(most, inside)
			mu.Unlock()
			time.Sleep(time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		})
	}
	unlockB, err := l.Lock(ctx, "b") // another key is not held up
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
	wg.Wait()
	if most != 1 {
		t.Errorf("%d holders of one key at once, want 1", most)
	}
	if n := l.Len(); n != 0 {
		t.Errorf("%d keys kept after every holder left, want 0", n)
	}
}

// TestLockWaitEndsWithItsContext: a wait for a held key gives up when its
// context ends, and leaves nothing behind.
func TestLockWaitEndsWithItsContext(t *testing.T) {
	var l Locks[int64]
	unlock, err := l.Lock(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx, 7); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting on a held key: %v, want the deadline", err)
	}
	unlock()
	again, err := l.Lock(context.Background(), 7)
	if err != nil {
		t.Fatalf("after the holder left: %v", err)
	}
	again()
	if n := l.Len(); n != 0 {
		t.Errorf("%d keys kept, want 0", n)
	}
}
