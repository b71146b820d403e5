package main

import (
	"bytes"
	"context"
	"regexp"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the server writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is `cardops serve` running in the test's process.
type served struct {
	// Base is the console's URL as the command printed it.
	Base     string
	Out, Err *syncBuffer
	// Done answers run's error once the command has ended.
	Done   <-chan error
	cancel context.CancelFunc
	ended  bool
}

var servedURL = regexp.MustCompile(`https?://127\.0\.0\.1:\d+`)

// startServe runs `cardops serve --addr 127.0.0.1:0` with args and the
// environment vars (over env's defaults) and waits for the URL it prints.
// The command is stopped when the test ends, if stop did not stop it first.
func startServe(t *testing.T, args []string, vars map[string]string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := &served{Out: &syncBuffer{}, Err: &syncBuffer{}, Done: done, cancel: cancel}
	args = append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() { done <- run(ctx, args, env(vars), nil, s.Out, s.Err) }()
	t.Cleanup(func() {
		if !s.ended {
			cancel()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Error("server did not shut down")
			}
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for !servedURL.MatchString(s.Out.String()) {
		if time.Now().After(deadline) {
			t.Fatalf("no URL printed; stdout %q stderr %q", s.Out.String(), s.Err.String())
		}
		select {
		case err := <-done:
			s.ended = true
			t.Fatalf("serve ended early: %v; stderr %q", err, s.Err.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.Base = servedURL.FindString(s.Out.String())
	return s
}

// stop shuts the command down as a signal would and fails the test unless
// it ends cleanly within 15 s.
func (s *served) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	s.ended = true
	select {
	case err := <-s.Done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not shut down")
	}
}
