package web

import (
	"bufio"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cardops/static"
	"cardops/store"
)

// TestCompression asks for pages, assets and JSON with and without
// Accept-Encoding: gzip; text worth compressing comes back gzipped when
// asked for (and says it varies by Accept-Encoding), small answers and
// clients that do not ask get it as it is.
func TestCompression(t *testing.T) {
	e := newTestEnv(t)
	htmx, err := fs.ReadFile(static.FS, "htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, url, accept string
		as                store.Level
		wantGzip          bool
		wantType          string
		wantBody          string // the whole (decompressed) body, if set
		wantContains      string
	}{
		{name: "page, gzip accepted", url: "/cards", accept: "gzip, deflate, br", as: store.LevelReadOnly, wantGzip: true,
			wantType: "text/html; charset=utf-8", wantContains: "<!doctype html>"},
		{name: "page, no Accept-Encoding", url: "/cards", as: store.LevelReadOnly,
			wantType: "text/html; charset=utf-8", wantContains: "<!doctype html>"},
		{name: "page, gzip refused (q=0)", url: "/cards", accept: "gzip;q=0, br", as: store.LevelReadOnly,
			wantType: "text/html; charset=utf-8", wantContains: "<!doctype html>"},
		{name: "sign-in page, gzip accepted", url: "/login", accept: "gzip", wantGzip: true,
			wantType: "text/html; charset=utf-8", wantContains: "<!doctype html>"},
		{name: "htmx, gzip accepted", url: "/static/htmx.min.js?v=" + e.server.staticVersion, accept: "gzip", wantGzip: true,
			wantType: "text/javascript; charset=utf-8", wantBody: string(htmx)},
		{name: "htmx, no Accept-Encoding", url: "/static/htmx.min.js?v=" + e.server.staticVersion,
			wantType: "text/javascript; charset=utf-8", wantBody: string(htmx)},
		{name: "small JSON, gzip accepted", url: "/healthz", accept: "gzip",
			wantType: "application/json", wantBody: `{"status":"ok"}` + "\n"},
		{name: "favicon", url: "/favicon.ico", accept: "gzip",
			wantType: "image/svg+xml", wantContains: "<svg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.url, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Encoding", tc.accept)
			}
			if tc.as != 0 {
				req.AddCookie(e.login(userFor(tc.as)))
			}
			rec := e.do(req)
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want %d", rec.Code, http.StatusOK)
			}
			h := rec.Header()
			if got := h.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tc.wantType)
			}
			body := rec.Body.String()
			if tc.wantGzip {
				if got := h.Get("Content-Encoding"); got != "gzip" {
					t.Fatalf("Content-Encoding = %q, want gzip", got)
				}
				if vary := strings.Join(h.Values("Vary"), ","); strings.Count(vary, "Accept-Encoding") != 1 {
					t.Errorf("Vary = %q, want it to name Accept-Encoding once", vary)
				}
				zr, err := gzip.NewReader(rec.Body)
				if err != nil {
					t.Fatalf("gzip: %v", err)
				}
				b, err := io.ReadAll(zr)
				if err != nil {
					t.Fatalf("gunzip: %v", err)
				}
				if rec.Body.Len() >= len(b) {
					t.Errorf("compressed %d bytes to %d", len(b), rec.Body.Len())
				}
				body = string(b)
			} else if got := h.Get("Content-Encoding"); got != "" {
				t.Errorf("Content-Encoding = %q, want none", got)
			}
			if tc.wantBody != "" && body != tc.wantBody {
				t.Errorf("body (%d bytes) differs from the expected %d bytes", len(body), len(tc.wantBody))
			}
			if !strings.Contains(strings.ToLower(body), tc.wantContains) {
				t.Errorf("body does not contain %q: %.200q", tc.wantContains, body)
			}
		})
	}
}

// TestEventStreamNotCompressed opens the live tail asking for gzip: it
// comes back uncompressed, and its first message arrives (flushed, not held
// in a compressor).
func TestEventStreamNotCompressed(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	ts := startHTTP(t, e)
	deliverOK(t, e, notification("first"))
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/events/stream?after=0", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	req.AddCookie(e.login("viewer"))
	// The transport would otherwise unzip silently and hide the header.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 20 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ce := resp.Header.Get("Content-Encoding"); ce != "" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: Content-Encoding %q, Content-Type %q; want none, text/event-stream", ce, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `data-operation-id="first"`) {
			return
		}
	}
	t.Fatalf("stream ended without the first event: %v", sc.Err())
}
