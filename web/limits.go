package web

import (
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"cardops/store"
)

// Connection and request limits. A client that stops sending is dropped
// after the read timeout; the listener caps how many connections one
// address, and all together, may hold open.
const (
	// DefaultReadTimeout is how long a request, headers and body, may take
	// to arrive (Config.ReadTimeout).
	DefaultReadTimeout = 10 * time.Second
	// DefaultMaxConnsPerIP and DefaultMaxConns are LimitListener's usual
	// caps.
	DefaultMaxConnsPerIP = 64
	DefaultMaxConns      = 4096
)

// idleTimeout is how long a kept-alive connection may wait for its next
// request.
const idleTimeout = 2 * time.Minute

// answerWriteTimeout is how long a client may take to take in one answer,
// from its request on: one that stops reading is dropped (its connection
// closed) instead of holding a connection and a handler. A live stream
// sets a shorter deadline before each of its writes (streamWriteTimeout).
const answerWriteTimeout = 60 * time.Second

// writeDeadline gives every answer its deadline (answerTimeout). It wraps
// the whole handler, so it reaches the connection before any writer is
// wrapped.
func (s *Server) writeDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.answerTimeout)) // not every writer has deadlines
		next.ServeHTTP(w, r)
	})
}

// HTTPServer returns an http.Server for the console with its limits: a
// request (headers and body) must arrive within the read timeout, else it
// fails and its connection is closed; an idle connection is closed after
// idleTimeout; net/http's own errors are logged as warnings. Serve it on a
// LimitListener.
//
// The read timeout does not end the live event streams: net/http lifts the
// read deadline once a request's body has been read to its end (at once for
// a GET), when it starts watching the connection for the client going away.
// There is no WriteTimeout, which would end them: each answer gets its own
// write deadline instead (writeDeadline).
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.readTimeout,
		ReadTimeout:       s.readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// LimitListener returns ln accepting at most perIP connections open at once
// from one remote IP address (an IPv6 one's /64) and at most total
// connections in all; 0 means
// no cap. A connection over a cap is closed as soon as it is accepted, and
// the refusals are logged (at most one line every 10 seconds).
//
// The console's trusted proxies (Config.TrustedProxies) count only toward
// total: one proxy carries the connections of many clients, whose address
// the listener cannot see (it is in the requests' X-Forwarded-For); the
// request-level limits (sign-in throttle, API rate) use that address.
func (s *Server) LimitListener(ln net.Listener, perIP, total int) net.Listener {
	return &limitListener{Listener: ln, perIP: perIP, total: total, proxy: s.trusted, log: s.log, open: map[string]int{}}
}

type limitListener struct {
	net.Listener
	perIP, total int
	proxy        func(netip.Addr) bool // a trusted proxy: no per-address cap
	log          *slog.Logger

	mu      sync.Mutex
	open    map[string]int // connections open per IP
	n       int            // connections open in all
	refused int            // refused since the last log line
	logged  time.Time
}

// Accept returns the next connection within the caps, closing those over.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := c.RemoteAddr().String()
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		addr, err := netip.ParseAddr(host)
		capped := err != nil || !l.proxy(addr)
		// An IPv6 client holds a whole /64 and can dial from any address
		// in it: the cap counts the /64, as the sign-in throttle does.
		ip := store.ThrottleAddress(host)
		if l.admit(ip, capped) {
			return &limitConn{Conn: c, l: l, ip: ip}, nil
		}
		c.Close()
	}
}

// admit takes a place for a connection from ip, under the per-address cap
// too if capped.
func (l *limitListener) admit(ip string, capped bool) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if (l.total > 0 && l.n >= l.total) || (capped && l.perIP > 0 && l.open[ip] >= l.perIP) {
		l.refused++
		if now := time.Now(); now.Sub(l.logged) >= 10*time.Second {
			l.log.Warn("connections refused: over the cap", "remote", ip, "refused", l.refused,
				"open_from_remote", l.open[ip], "open", l.n, "max_per_ip", l.perIP, "max", l.total)
			l.refused, l.logged = 0, now
		}
		return false
	}
	l.open[ip]++
	l.n++
	return true
}

func (l *limitListener) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n--
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
}

// limitConn gives its place back when closed (once, however often Close is
// called).
type limitConn struct {
	net.Conn
	l    *limitListener
	ip   string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}
