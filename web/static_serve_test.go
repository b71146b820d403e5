package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestStaticServesFilesOnly: /static/ serves its files and nothing else: no
// listing of the directory, and a name that is no file gets a small
// readable 404 that no cache keeps.
func TestStaticServesFilesOnly(t *testing.T) {
	notFound := func(method, url string) scenario {
		return scenario{
			name: method + " " + url + " is a plain 404", method: method, url: url,
			wantStatus:      http.StatusNotFound,
			wantContains:    []string{"Not found: there is no such file under /static/."},
			wantNotContains: []string{"app.css", "htmx.min.js", "<a href", "<pre>"},
			wantHeaders:     map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if cc := rec.Header().Get("Cache-Control"); strings.Contains(cc, "immutable") || strings.Contains(cc, "max-age") {
					t.Errorf("Cache-Control = %q, want a 404 no cache keeps", cc)
				}
			},
		}
	}
	runScenarios(t, []scenario{
		notFound("GET", "/static/"),
		notFound("GET", "/static/?v=x"),
		notFound("GET", "/static/x"),
		notFound("GET", "/static/no-such.js?v=x"),
		notFound("GET", "/static/app.css/"),
		{
			name: "a file is served", method: "GET", url: "/static/copy.js",
			wantStatus: http.StatusOK, wantContains: []string{"navigator.clipboard"},
			wantHeaders: map[string]string{"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache"},
		},
	})
	t.Run("a 404 of the current version is not cached for a year", func(t *testing.T) {
		e := newTestEnv(t)
		rec := e.do(httptest.NewRequest("GET", "/static/gone.js?v="+e.server.staticVersion, nil))
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("status = %d, Cache-Control %q; want 404, not immutable", rec.Code, rec.Header().Get("Cache-Control"))
		}
	})
}
