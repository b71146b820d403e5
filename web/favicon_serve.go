package web

import (
	"net/http"

	"cardops/static"
)

// faviconServe answers the /favicon.ico that browsers and other clients ask
// for by default with the console's SVG icon (pages link to it too).
func (s *Server) faviconServe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeFileFS(w, r, static.FS, "favicon.svg")
}
