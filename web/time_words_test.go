package web

import (
	"net/http"
	"net/url"
	"testing"

	"cardops/store"
)

// TestTimeFilterMessagesAsViewer: a time the console cannot read is
// explained with an example, never with Go's layout string.
func TestTimeFilterMessagesAsViewer(t *testing.T) {
	viewer := store.LevelReadOnly
	runScenarios(t, []scenario{
		{
			name: "event log: an unreadable time gets an example", method: "GET", url: "/events?from=yesterday", as: viewer,
			wantStatus: http.StatusOK, wantContains: []string{"like 2026-12-01 14:30"},
			// The layout's "15:04" alone would match the clock in the page's
			// own times; the hint's example is where a layout would leak.
			wantNotContains: []string{"2006-01-02", "like 15:04"},
		},
		{
			name: "event log: an end before the start is said, and left out", method: "GET", url: "/events?from=2026-12-03&to=2026-12-01", as: viewer,
			wantStatus: http.StatusOK, wantContains: []string{"The end time &#34;2026-12-01&#34; is before the start time &#34;2026-12-03&#34;, so nothing could match: the end was left out.",
				`name="to" value="2026-12-01" aria-label="To (UTC)" title="To (UTC)" aria-invalid`},
		},
		{
			name: "audit log: an end before the start is said, and left out", method: "GET", url: "/audit?from=2026-12-03&to=2026-12-01", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{"The end time &#34;2026-12-01&#34; is before the start time &#34;2026-12-03&#34;"},
		},
		{
			name: "event log: the example's own form is read", method: "GET", url: "/events?from=" + url.QueryEscape("2026-12-01 14:30"), as: viewer,
			wantStatus: http.StatusOK, wantNotContains: []string{"Could not read"},
		},
	})
}
