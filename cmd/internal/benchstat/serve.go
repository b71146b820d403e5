package benchstat

import (
	"net"
	"net/http"
)

// Serve serves h on a loopback port, as the benchmark programs time the
// console through a real HTTP client. It returns the server's base URL and
// the function that stops it.
func Serve(h http.Handler) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}
