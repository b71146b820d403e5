package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"cardops/static"
)

// staticServe serves the embedded htmx, SSE extension, CSS and icon. URLs
// carry a content hash (?v=), so a versioned URL can be cached for long.
// Clients that accept gzip get the text files compressed at start-up. Only
// the files themselves are served: /static/ lists nothing, and a name that
// is no file is a small plain-text 404.
func (s *Server) staticServe(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	f, err := openStatic(name)
	if errors.Is(err, fs.ErrNotExist) {
		http.Error(w, "Not found: there is no such file under /static/.", http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	defer f.Close()
	if r.URL.Query().Get("v") == s.staticVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	if gz, ok := s.staticGzip[name]; ok {
		w.Header().Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
			w.Header().Set("Content-Encoding", "gzip")
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gz))
			return
		}
	}
	http.ServeContent(w, r, name, time.Time{}, f)
}

// staticFile is an embedded asset, open for serving.
type staticFile interface {
	io.ReadSeeker
	io.Closer
}

// openStatic opens the embedded asset called name. Assets sit at the root
// of static.FS: anything else (a directory, the root, a path with a slash)
// is fs.ErrNotExist.
func openStatic(name string) (staticFile, error) {
	if !fs.ValidPath(name) || strings.Contains(name, "/") || name == "." {
		return nil, fmt.Errorf("web: static %q: %w", name, fs.ErrNotExist)
	}
	f, err := static.FS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("web: static %q: %w", name, err)
	}
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		err = fs.ErrNotExist
	}
	rs, ok := f.(staticFile)
	if err == nil && !ok {
		err = errors.New("embedded file cannot seek")
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("web: static %q: %w", name, err)
	}
	return rs, nil
}
