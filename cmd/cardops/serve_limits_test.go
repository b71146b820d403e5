package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeLimits starts the real command with one connection per address
// and a short read timeout (from the environment): a second connection from
// the same address is closed unanswered, and a client that sends half a
// body is dropped.
func TestServeLimits(t *testing.T) {
	db := filepath.Join(t.TempDir(), "limits.db")
	c := startServe(t, []string{"--db", db, "--max-conns-per-ip", "1"}, map[string]string{"CARDOPS_READ_TIMEOUT": "200ms"})
	addr := strings.TrimPrefix(c.Base, "http://")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		t.Cleanup(func() { c.Close() })
		return c
	}
	readToClose := func(c net.Conn) string {
		b, err := io.ReadAll(c)
		if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("connection still open after 20s (read %q)", b)
		}
		return string(b)
	}

	first := dial()
	io.WriteString(first, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(first), nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("first connection: %v", err)
	}
	second := dial()
	io.WriteString(second, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := readToClose(second); got != "" {
		t.Errorf("second connection from the same address was answered: %.200q", got)
	}
	io.WriteString(first, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nusername=vi")
	if got := readToClose(first); strings.HasPrefix(got, "HTTP/1.1 303") {
		t.Errorf("half a body was answered as a sign-in: %.200q", got)
	}
	c.stop(t)
}

func TestServeRefusesZeroTimeouts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	for _, args := range [][]string{{"--read-timeout", "0s"}, {"--write-timeout", "-1s"}} {
		err := run(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, args...),
			env(nil), nil, &syncBuffer{}, &syncBuffer{})
		if err == nil || !strings.Contains(err.Error(), "must be more than 0") {
			t.Errorf("serve %v: err = %v, want a refusal", args, err)
		}
	}
}

// TestServeRefusesNoAPIRate: an API rate of 0 or less is refused, not taken
// silently as the default.
func TestServeRefusesNoAPIRate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	for _, rate := range []string{"0", "-5"} {
		err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--api-rate", rate},
			env(nil), nil, &syncBuffer{}, &syncBuffer{})
		if err == nil || !strings.Contains(err.Error(), "--api-rate must be 1 or more") {
			t.Errorf("serve --api-rate %s: err = %v, want a refusal", rate, err)
		}
	}
}
