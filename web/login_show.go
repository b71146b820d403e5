package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"cardops/store"
	"cardops/views"
)

// loginShow shows the sign-in form; a visitor already signed in goes on.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if _, err := s.principal(r); err == nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	f := views.LoginForm{Next: next}
	switch {
	case r.URL.Query().Get("expired") == "1":
		f.Notice = "Your session expired. Sign in again to continue."
	case r.URL.Query().Get("signed_out") == "1":
		f.Notice = "You have signed out."
	case r.URL.Query().Get("step_up") == "1":
		f.Notice = fmt.Sprintf("You were signed out everywhere after %d wrong passwords typed while signed in (at a reissue confirmation or a password change). Sign in again to continue.", store.MaxStepUpFails)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, views.LoginPage(s.page(r, "Sign in", ""), f))
}

// safeNext keeps a post-sign-in destination on this site: a local path,
// not "//host" or "/\host" that a browser would treat as another site. It
// returns the path cleaned as http.Redirect would clean it, so "/./\\host"
// or "/.//host" cannot turn into one on the way; a backslash anywhere is
// refused (browsers read it as a slash).
func safeNext(next string) string {
	if len(next) == 0 || next[0] != '/' || len(next) > 2048 || strings.ContainsRune(next, '\\') {
		return "/"
	}
	for _, c := range next {
		if c < ' ' || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	clean := path.Clean(u.EscapedPath())
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return "/"
	}
	if u.RawQuery != "" {
		clean += "?" + u.RawQuery
	}
	return clean
}
