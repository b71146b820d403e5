package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRunSmall runs every phase briefly with each client, so the load
// program keeps working as the receiver changes: every delivery is
// accepted and every subscriber sees every event.
func TestRunSmall(t *testing.T) {
	for _, client := range []string{"raw", "nethttp"} {
		t.Run(client, func(t *testing.T) {
			var out bytes.Buffer
			err := run([]string{"-client", client, "-duration", "300ms", "-rate", "300", "-senders", "8", "-conns", "4",
				"-raw-rows", "600", "-subscribers", "3", "-fanout-rate", "2000"}, &out)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			text := out.String()
			for _, want := range []*regexp.Regexp{
				regexp.MustCompile(`raw +plain batched loop .*: 600 rows in`),
				regexp.MustCompile(`steady +target 300/s for 300ms: accepted 90 \(\d+/s\), errors 0;`),
				regexp.MustCompile(`saturation 4 connections for 300ms: accepted [1-9]\d* \(\d+/s\), errors 0;`),
				regexp.MustCompile(`fanout +3 subscribers, 2000/s for 300ms: accepted 600 .* delivered 1800 of 1800 to subscribers \(missing 0, duplicates 0\)`),
			} {
				if !want.MatchString(text) {
					t.Errorf("output does not match %s:\n%s", want, text)
				}
			}
		})
	}
}

func TestRunRefusesUnknownClient(t *testing.T) {
	if err := run([]string{"-client", "curl"}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "raw or nethttp") {
		t.Fatalf("want an error naming the clients, got %v", err)
	}
}

// TestRawSenderAnswers checks the raw sender's reading of responses it may
// meet: a refusal is an error and the connection stays usable, a server that
// closes is redialled, and a response it cannot read is an error.
func TestRawSenderAnswers(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.Method != http.MethodPost || r.URL.Path != "/webhooks" || r.Header.Get("X-Webhook-Key") != loadKey ||
			r.Header.Get("Webhook-Signature") == "" || r.ContentLength <= 0 {
			t.Errorf("unexpected request %s %s %v", r.Method, r.URL, r.Header)
		}
		switch calls {
		case 1:
			w.Write([]byte(`{"id":1}`))
		case 2:
			http.Error(w, "no", http.StatusUnauthorized)
		case 3:
			w.Header().Set("Connection", "close")
			w.Write([]byte(`{"id":3}`))
		case 4:
			w.Write([]byte(`{"id":4}`))
		default:
			// Flushing before the end makes the response chunked.
			w.Write([]byte("{"))
			w.(http.Flusher).Flush()
			w.Write([]byte("}"))
		}
	}))
	defer srv.Close()
	s := &rawSender{c: &console{URL: srv.URL}}
	defer s.close()
	if err := s.deliver("a"); err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if err := s.deliver("b"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("refused delivery: want a status 401 error, got %v", err)
	}
	if err := s.deliver("c"); err != nil {
		t.Fatalf("delivery answered with Connection: close: %v", err)
	}
	if s.conn != nil {
		t.Fatal("the connection the server closed is still held")
	}
	if err := s.deliver("d"); err != nil {
		t.Fatalf("delivery after a redial: %v", err)
	}
	if err := s.deliver("e"); err == nil || !strings.Contains(err.Error(), "chunked") {
		t.Fatalf("chunked response: want an error, got %v", err)
	}
}

// TestRawSenderRequestIsHTTP checks that what the raw sender writes is one
// well-formed HTTP/1.1 request, as net/http reads it.
func TestRawSenderRequestIsHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan *http.Request, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			t.Errorf("read request: %v", err)
			close(got)
			return
		}
		var b bytes.Buffer
		b.ReadFrom(req.Body)
		req.Body.Close()
		req.Body = nil
		if string(b.Bytes()) != string(body("op-1")) {
			t.Errorf("body %q, want %q", b.Bytes(), body("op-1"))
		}
		got <- req
		conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
	}()
	s := &rawSender{c: &console{URL: "http://" + ln.Addr().String()}}
	defer s.close()
	if err := s.deliver("op-1"); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	req := <-got
	if req == nil {
		t.FailNow()
	}
	if req.Method != http.MethodPost || req.URL.Path != "/webhooks" || req.Host != ln.Addr().String() ||
		req.Header.Get("Webhook-Id") != "msg_op-1" || req.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s host %s headers %v", req.Method, req.URL, req.Host, req.Header)
	}
}

// TestBodyVaries checks the notifications are valid JSON naming the card
// cardOf says, and that they spread over many cards: with one card the
// card indexes are appends and the benchmark writes less than a program.
func TestBodyVaries(t *testing.T) {
	cards, ops := map[string]bool{}, map[string]bool{}
	for i := range 200 {
		id := "op-" + strconv.Itoa(i)
		var n struct {
			OperationID string `json:"operation_id"`
			Data        struct {
				CardID string `json:"card_id"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body(id), &n); err != nil {
			t.Fatalf("body(%q) is not JSON: %v\n%s", id, err, body(id))
		}
		if n.OperationID != operationOf(id) || n.Data.CardID != cardOf(id) {
			t.Fatalf("body(%q) names operation %q card %q, want %q and %q", id, n.OperationID, n.Data.CardID, operationOf(id), cardOf(id))
		}
		cards[n.Data.CardID] = true
		ops[n.OperationID] = true
	}
	if len(cards) < 150 {
		t.Errorf("200 notifications name %d cards, want them spread over the pool", len(cards))
	}
	if len(ops) != 200 {
		t.Errorf("200 notifications name %d operations, want 200", len(ops))
	}
}
