package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"cardops/static"
)

// minCompressSize is the smallest body compressed: below it, gzip's framing
// and the work outweigh the bytes saved.
const minCompressSize = 1024

// compressibleType reports whether a response of this Content-Type is text
// worth compressing. Event streams are not: each event must reach the
// browser when it is flushed.
func compressibleType(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(ct)) {
	case "text/html", "text/css", "text/plain", "text/javascript", "application/javascript",
		"application/json", "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			q := strings.TrimSpace(params)
			if q, ok := strings.CutPrefix(q, "q="); ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// compress gzips text responses (HTML, CSS, JavaScript, JSON, SVG) of at
// least minCompressSize bytes for clients that accept it. A response that
// already has a Content-Encoding (the pre-compressed static files), an event
// stream, a partial or empty response is sent as it is.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" || !acceptsGzip(r) {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		next.ServeHTTP(gw, r)
		gw.close()
	})
}

// gzipWriter holds back the status and the first bytes of a response until
// it knows whether to compress it: when the body reaches minCompressSize,
// when the handler flushes, or when it returns.
type gzipWriter struct {
	http.ResponseWriter
	status  int
	buf     []byte
	decided bool
	gz      *gzip.Writer // nil: sent as it is
}

func (g *gzipWriter) WriteHeader(code int) {
	if g.decided || (code >= 100 && code < 200) {
		g.ResponseWriter.WriteHeader(code)
		return
	}
	if g.status == 0 {
		g.status = code
	}
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.decided {
		if g.status == 0 {
			g.status = http.StatusOK
		}
		if g.eligible() && len(g.buf)+len(p) < minCompressSize {
			g.buf = append(g.buf, p...)
			return len(p), nil
		}
		if err := g.decide(len(g.buf) + len(p)); err != nil {
			return 0, err
		}
	}
	if g.gz != nil {
		return g.gz.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// eligible reports whether the response, as its headers stand, may be
// compressed.
func (g *gzipWriter) eligible() bool {
	h := g.Header()
	if g.status < 200 || g.status == http.StatusNoContent || g.status == http.StatusPartialContent ||
		g.status == http.StatusNotModified || h.Get("Content-Encoding") != "" || !compressibleType(h.Get("Content-Type")) {
		return false
	}
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.Atoi(cl); err == nil && n < minCompressSize {
			return false
		}
	}
	return true
}

// decide sends the status and headers, compressing when the response is
// eligible and size (what the body has reached) is worth it, and then the
// bytes held back.
func (g *gzipWriter) decide(size int) error {
	g.decided = true
	h := g.Header()
	if compressibleType(h.Get("Content-Type")) && !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if g.eligible() && size >= minCompressSize {
		h.Del("Content-Length")
		h.Set("Content-Encoding", "gzip")
		g.ResponseWriter.WriteHeader(g.status)
		g.gz = gzipWriters.Get().(*gzip.Writer)
		g.gz.Reset(g.ResponseWriter)
		if len(g.buf) > 0 {
			if _, err := g.gz.Write(g.buf); err != nil {
				return err
			}
		}
	} else {
		g.ResponseWriter.WriteHeader(g.status)
		if len(g.buf) > 0 {
			if _, err := g.ResponseWriter.Write(g.buf); err != nil {
				return err
			}
		}
	}
	g.buf = nil
	return nil
}

// Flush sends what is held back (deciding with what there is) and flushes.
func (g *gzipWriter) Flush() {
	if !g.decided {
		if g.status == 0 {
			g.status = http.StatusOK
		}
		g.decide(len(g.buf))
	}
	if g.gz != nil {
		g.gz.Flush()
	}
	http.NewResponseController(g.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection (deadlines).
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// close finishes the response once the handler has returned.
func (g *gzipWriter) close() {
	if !g.decided {
		if g.status == 0 && len(g.buf) == 0 {
			return // nothing written: net/http answers 200 with no body
		}
		if g.status == 0 {
			g.status = http.StatusOK
		}
		g.decide(len(g.buf))
	}
	if g.gz != nil {
		g.gz.Close()
		g.gz.Reset(nil)
		gzipWriters.Put(g.gz)
		g.gz = nil
	}
}

// compressStatic gzips the embedded text assets worth it, once, at the best
// compression; staticServe sends them to clients that accept gzip.
func compressStatic() (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(static.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressibleType(mime.TypeByExtension(path.Ext(name))) {
			return err
		}
		b, err := fs.ReadFile(static.FS, name)
		if err != nil || len(b) < minCompressSize {
			return err
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return err
		}
		out[name] = z.Bytes()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: compress static files: %w", err)
	}
	return out, nil
}
