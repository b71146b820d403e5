package web

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// startLimited serves e on a real connection the way cardops serve does:
// the console's http.Server behind a LimitListener with the given caps.
func startLimited(t *testing.T, e *testEnv, perIP, total int) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = e.server.HTTPServer()
	ts.Listener = e.server.LimitListener(ts.Listener, perIP, total)
	ts.Start()
	t.Cleanup(func() {
		e.server.Close()
		ts.Close()
	})
	return ts
}

// dial opens a raw connection to ts; reads on it give up after a generous
// bound, so a test that would hang fails instead.
func dial(t *testing.T, ts *httptest.Server) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// readToClose reads c until the server closes it and returns what came;
// it fails the test if the connection was still open at the generous bound.
func readToClose(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after 20s (read %q)", b)
	}
	return string(b)
}

// TestSlowBodyIsDropped sends half a body and stops: the request fails and
// the server closes the connection once the read timeout has passed, on a
// console form and on the webhook receiver alike.
func TestSlowBodyIsDropped(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.ReadTimeout = 200 * time.Millisecond })
	ts := startLimited(t, e, 0, 0)
	for _, tc := range []struct{ name, head, half string }{
		{"sign-in form", "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n",
			"username=viewer&pass"},
		{"webhook", "POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
			`{"operation":"CARDS",`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, ts)
			if _, err := io.WriteString(c, tc.head+tc.half); err != nil {
				t.Fatal(err)
			}
			got := readToClose(t, c)
			if strings.HasPrefix(got, "HTTP/1.1 2") || strings.HasPrefix(got, "HTTP/1.1 3") {
				t.Errorf("half a body was answered as a success: %.200q", got)
			}
		})
	}
}

// TestLimitListenerPerIP holds the per-address cap's worth of connections
// open: the next one from the same address is closed at once, and once one
// of them closes a new one is served.
func TestLimitListenerPerIP(t *testing.T) {
	e := newTestEnv(t)
	ts := startLimited(t, e, 2, 0)
	get := func(c net.Conn) *http.Response {
		t.Helper()
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatalf("send: %v", err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("read answer: %v", err)
		}
		resp.Body.Close()
		return resp
	}
	// Two connections, each known to be accepted (it was answered) and kept
	// open.
	first, second := dial(t, ts), dial(t, ts)
	if get(first).StatusCode != http.StatusOK || get(second).StatusCode != http.StatusOK {
		t.Fatal("the connections within the cap were not served")
	}
	third := dial(t, ts)
	io.WriteString(third, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := readToClose(t, third); got != "" {
		t.Errorf("connection over the cap was answered: %.200q", got)
	}
	first.Close()
	// The place is given back when the server sees the close; a new
	// connection may race it, so try until one is served.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := dial(t, ts)
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil && resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no connection served after one within the cap closed: %v", err)
		}
	}
	if get(second).StatusCode != http.StatusOK {
		t.Error("a connection within the cap stopped being served")
	}
}

// TestLimitListenerTrustedProxy: a trusted proxy's connections carry many
// clients; they are not held to the per-address cap, only to the total.
func TestLimitListenerTrustedProxy(t *testing.T) {
	e := newTestEnv(t, func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} })
	ts := startLimited(t, e, 1, 3)
	var conns []net.Conn
	for i := range 3 {
		c := dial(t, ts)
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("connection %d from the proxy, per-address cap 1: %v; want it served", i+1, err)
		}
		conns = append(conns, c)
	}
	over := dial(t, ts)
	io.WriteString(over, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := readToClose(t, over); got != "" {
		t.Errorf("connection over the total cap was answered: %.200q", got)
	}
}

// TestLimitListenerTotal caps all connections together, whatever their
// address.
func TestLimitListenerTotal(t *testing.T) {
	e := newTestEnv(t)
	ts := startLimited(t, e, 0, 1)
	first := dial(t, ts)
	io.WriteString(first, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err := http.ReadResponse(bufio.NewReader(first), nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("first connection: %v", err)
	}
	second := dial(t, ts)
	io.WriteString(second, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if got := readToClose(t, second); got != "" {
		t.Errorf("connection over the total cap was answered: %.200q", got)
	}
}

// TestEventStreamOutlivesReadTimeout keeps a live tail open for several
// read timeouts on the console's own http.Server: it still delivers (a
// server-wide read timeout would have ended it).
func TestEventStreamOutlivesReadTimeout(t *testing.T) {
	const readTimeout = 100 * time.Millisecond
	e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.ReadTimeout = readTimeout })
	ts := startLimited(t, e, 0, 0)
	stream := openStream(t, ts.URL, "/events/stream?after=0", e.login("viewer"), "")
	deliverOK(t, e, notification("early"))
	if m := stream.next(t); !strings.Contains(m.Data, "early") {
		t.Fatalf("first message = %+v, want the early event", m)
	}
	time.Sleep(5 * readTimeout) // time must pass: no state to wait on
	deliverOK(t, e, notification("late"))
	if m := stream.next(t); !strings.Contains(m.Data, "late") {
		t.Errorf("message after the read timeout = %+v, want the late event", m)
	}
}

// TestSlowReaderIsDropped: a client that asks for answers and stops reading
// them is dropped once an answer has waited past its write deadline: its
// connection is closed, not held for good.
func TestSlowReaderIsDropped(t *testing.T) {
	e := newTestEnv(t)
	e.server.answerTimeout = time.Second
	ts := startLimited(t, e, 0, 0)
	c := dial(t, ts)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetReadBuffer(4096)
	}
	asset := "/static/htmx.min.js"
	var reqs strings.Builder
	for range 200 {
		reqs.WriteString("GET " + asset + " HTTP/1.1\r\nHost: x\r\n\r\n")
	}
	if _, err := io.WriteString(c, reqs.String()); err != nil {
		t.Fatalf("send: %v", err)
	}
	time.Sleep(3 * time.Second) // not reading: the server's writes block
	c.SetReadDeadline(time.Now().Add(15 * time.Second))
	n, err := io.Copy(io.Discard, c)
	if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was still open: read %d bytes, then nothing more for 15 s", n)
	}
	if n >= 200*40_000 {
		t.Errorf("read %d bytes: all 200 answers came, want the connection closed partway", n)
	}
}

// TestLimitListenerCountsAnIPv6Subscriber: IPv6 addresses in one /64 (one
// subscriber, who can dial from any of them) share the per-address cap;
// another /64 has its own, and an IPv4 address given as IPv6 counts as
// itself.
func TestLimitListenerCountsAnIPv6Subscriber(t *testing.T) {
	e := newTestEnv(t)
	fake := &fakeListener{conns: make(chan net.Conn, 8)}
	ln := e.server.LimitListener(fake, 1, 0)
	peers := map[string]net.Conn{}
	for _, remote := range []string{"[2001:db8:1:2::1]:4000", "[2001:db8:1:2:ffff::9]:4001", "[2001:db8:1:3::1]:4002",
		"192.0.2.7:4003", "[::ffff:192.0.2.7]:4004"} {
		server, client := net.Pipe()
		t.Cleanup(func() { server.Close(); client.Close() })
		fake.conns <- remoteConn{Conn: server, remote: remote}
		peers[remote] = client
	}
	close(fake.conns)
	var accepted []string
	for {
		c, err := ln.Accept()
		if err != nil {
			break
		}
		accepted = append(accepted, c.RemoteAddr().String())
	}
	want := []string{"[2001:db8:1:2::1]:4000", "[2001:db8:1:3::1]:4002", "192.0.2.7:4003"}
	if strings.Join(accepted, " ") != strings.Join(want, " ") {
		t.Errorf("accepted %v, want %v", accepted, want)
	}
	for _, refused := range []string{"[2001:db8:1:2:ffff::9]:4001", "[::ffff:192.0.2.7]:4004"} {
		peers[refused].SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := peers[refused].Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
			t.Errorf("%s over the cap: read %v, want its connection closed", refused, err)
		}
	}
}

// fakeListener accepts the connections put in conns, then fails.
type fakeListener struct{ conns chan net.Conn }

func (l *fakeListener) Accept() (net.Conn, error) {
	if c, ok := <-l.conns; ok {
		return c, nil
	}
	return nil, net.ErrClosed
}
func (l *fakeListener) Close() error   { return nil }
func (l *fakeListener) Addr() net.Addr { return &net.TCPAddr{} }

// remoteConn is a connection from a chosen remote address.
type remoteConn struct {
	net.Conn
	remote string
}

func (c remoteConn) RemoteAddr() net.Addr { return fakeAddr(c.remote) }

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }
