package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cardops/web/webhook"
)

// A sender delivers notifications to the receiver, one at a time; each
// concurrent sender of a phase has its own.
type sender interface {
	deliver(opID string) error
	close()
}

// newSender returns a sender of the kind -client names: "raw" writes
// HTTP/1.1 on its own keep-alive connection, as wrk-like load tools do, so
// the generator's share of the two cores goes to the requests themselves;
// "nethttp" goes through a shared net/http client, which costs about twice
// the generator CPU per request (its per-connection read and write
// goroutines, header maps) and is kept for comparison.
func (c *console) newSender() sender {
	if c.clientKind == "nethttp" {
		return httpSender{c}
	}
	return &rawSender{c: c}
}

// signedHeaders returns the headers of a delivery of b: both the provider's
// and the Standard Webhooks scheme, as the dispatcher sends them.
func signedHeaders(opID string, b []byte, now time.Time) ([][2]string, error) {
	sig, err := webhook.Sign(loadSecret, "msg_"+opID, now, b)
	if err != nil {
		return nil, err
	}
	return [][2]string{
		{"Content-Type", "application/json"},
		{webhook.HeaderWebhookKey, loadKey},
		{webhook.HeaderRequestTimestamp, strconv.FormatInt(now.UnixMilli(), 10)},
		{webhook.HeaderWebhookID, "msg_" + opID},
		{webhook.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10)},
		{webhook.HeaderWebhookSignature, sig},
	}, nil
}

// httpSender sends through the console's net/http client.
type httpSender struct{ c *console }

func (s httpSender) deliver(opID string) error {
	b := body(opID)
	hs, err := signedHeaders(opID, b, time.Now())
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, s.c.URL+"/webhooks", bytes.NewReader(b))
	if err != nil {
		return err
	}
	for _, h := range hs {
		req.Header.Set(h[0], h[1])
	}
	resp, err := s.c.client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

func (httpSender) close() {}

// rawSender speaks just enough HTTP/1.1 to send a POST and read a response
// with a Content-Length, on one connection it keeps open.
type rawSender struct {
	c    *console
	conn net.Conn
	r    *bufio.Reader
	buf  []byte
}

func (s *rawSender) deliver(opID string) error {
	if s.conn == nil {
		u, err := url.Parse(s.c.URL)
		if err != nil {
			return err
		}
		conn, err := net.Dial("tcp", u.Host)
		if err != nil {
			return err
		}
		s.conn, s.r = conn, bufio.NewReader(conn)
	}
	b := body(opID)
	hs, err := signedHeaders(opID, b, time.Now())
	if err != nil {
		return err
	}
	s.buf = append(s.buf[:0], "POST /webhooks HTTP/1.1\r\nHost: "...)
	s.buf = append(s.buf, strings.TrimPrefix(s.c.URL, "http://")...)
	s.buf = append(s.buf, "\r\nContent-Length: "...)
	s.buf = strconv.AppendInt(s.buf, int64(len(b)), 10)
	for _, h := range hs {
		s.buf = append(s.buf, "\r\n"...)
		s.buf = append(s.buf, h[0]...)
		s.buf = append(s.buf, ": "...)
		s.buf = append(s.buf, h[1]...)
	}
	s.buf = append(s.buf, "\r\n\r\n"...)
	s.buf = append(s.buf, b...)
	if _, err := s.conn.Write(s.buf); err != nil {
		s.close()
		return err
	}
	status, err := s.readResponse()
	if err != nil {
		s.close()
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("status %d", status)
	}
	return nil
}

// readResponse reads one response and returns its status; it closes the
// connection when the server asks to.
func (s *rawSender) readResponse() (int, error) {
	line, err := s.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length, closing := -1, false
	for {
		line, err := s.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			closing = true
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, errors.New("chunked responses are not supported")
		}
	}
	if length < 0 {
		return 0, errors.New("response without Content-Length")
	}
	if _, err := s.r.Discard(length); err != nil {
		return 0, err
	}
	if closing {
		s.close()
	}
	return status, nil
}

func (s *rawSender) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}
