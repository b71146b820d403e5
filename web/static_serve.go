package web

import (
	"net/http"

	"cardops/static"
)

var staticFiles = http.StripPrefix("/static/", http.FileServerFS(static.FS))

// staticServe serves the embedded htmx, SSE extension and CSS. URLs carry a
// content hash (?v=), so a versioned URL can be cached for long.
func (s *Server) staticServe(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") == s.staticVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	staticFiles.ServeHTTP(w, r)
}
