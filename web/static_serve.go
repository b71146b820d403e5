package web

import (
	"bytes"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"cardops/static"
)

var staticFiles = http.StripPrefix("/static/", http.FileServerFS(static.FS))

// staticServe serves the embedded htmx, SSE extension, CSS and icon. URLs
// carry a content hash (?v=), so a versioned URL can be cached for long.
// Clients that accept gzip get the text files compressed at start-up.
func (s *Server) staticServe(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") == s.staticVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if gz, ok := s.staticGzip[name]; ok {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
			w.Header().Set("Content-Encoding", "gzip")
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gz))
			return
		}
	}
	staticFiles.ServeHTTP(w, r)
}
