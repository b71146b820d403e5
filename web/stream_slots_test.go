package web

import (
	"net/http"
	"testing"
	"time"
)

// TestLiveStreamsPerUser: one person holds at most maxStreamsPerUser live
// streams open, whatever the connections carry (HTTP/2 puts many on one);
// the next is refused in words, another person is not held up, and a
// closed stream frees its place.
func TestLiveStreamsPerUser(t *testing.T) {
	e := newTestEnv(t)
	ts := startHTTP(t, e)
	viewer, operator := e.login("viewer"), e.login("operator")
	var open []*sseClient
	for range maxStreamsPerUser {
		open = append(open, openStream(t, ts.URL, "/events/stream", viewer, ""))
	}
	refused := func() (int, string) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/cards/x/stream", nil)
		req.AddCookie(viewer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Content-Type")
	}
	if code, ct := refused(); code != http.StatusTooManyRequests || ct != "application/json" {
		t.Errorf("stream %d: status %d (%s), want 429 JSON", maxStreamsPerUser+1, code, ct)
	}
	openStream(t, ts.URL, "/events/stream", operator, "").cancel()
	open[0].cancel()
	<-open[0].done
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/events/stream", nil)
		req.AddCookie(viewer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		// The server frees the place when it sees the close.
		if time.Now().After(deadline) {
			t.Fatalf("after a stream closed: status %d, want a place again", resp.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range open[1:] {
		c.cancel()
	}
}
