package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// client is who sent a request and whether it reached the console over
// HTTPS: the peer and its TLS, unless the peer is a trusted proxy, whose
// X-Forwarded-For and X-Forwarded-Proto then say.
type client struct {
	addr  string
	https bool
}

// maxForwardedHops bounds how many X-Forwarded-For entries are read.
const maxForwardedHops = 16

// resolveClient puts the request's client (see remoteAddr and isHTTPS) in
// its context. Forwarding headers from any other peer are ignored, so a
// browser cannot choose its own address for the sign-in throttle or the
// audit log, nor claim HTTPS.
func (s *Server) resolveClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := client{addr: peerAddr(r), https: r.TLS != nil}
		if ip, err := netip.ParseAddr(c.addr); err == nil && s.trusted(ip) {
			c.addr = forwardedFor(r.Header.Values("X-Forwarded-For"), c.addr, s.trusted)
			if proto := lastValue(r.Header.Values("X-Forwarded-Proto")); proto != "" {
				c.https = strings.EqualFold(proto, "https")
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey, c)))
	})
}

// trusted reports whether ip is one of the configured proxies.
func (s *Server) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range s.trustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedFor walks the X-Forwarded-For list from the right (the entry the
// nearest proxy added) past trusted proxies and returns the first address
// that is not one: entries to its left were written by the client and prove
// nothing. An unreadable entry stops the walk at the last trusted hop.
func forwardedFor(values []string, peer string, trusted func(netip.Addr) bool) string {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	if len(hops) > maxForwardedHops {
		hops = hops[len(hops)-maxForwardedHops:]
	}
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := parseHop(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr
		}
		addr = ip.String()
		if !trusted(ip) {
			return addr
		}
	}
	return addr
}

func parseHop(h string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.Unmap(), nil
	}
	ap, err := netip.ParseAddrPort(h)
	return ap.Addr().Unmap(), err
}

func lastValue(values []string) string {
	if len(values) == 0 {
		return ""
	}
	parts := strings.Split(values[len(values)-1], ",")
	return strings.TrimSpace(parts[len(parts)-1])
}

// peerAddr is the IP address of the connection's other end.
func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isHTTPS reports whether the request reached the console over HTTPS,
// directly or through a trusted proxy; the session cookie is Secure and
// HSTS is sent only then.
func isHTTPS(r *http.Request) bool {
	if c, ok := r.Context().Value(clientKey).(client); ok {
		return c.https
	}
	return r.TLS != nil
}
