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
				`<label>To (UTC) <input type="datetime-local" name="to" value="2026-12-01" aria-invalid>`},
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

// TestTimeRangeLabelsAsViewer: the event log's From and To boxes have
// visible labels, as the audit log's do (they showed as two unlabelled
// "mm/dd/yyyy, --:--" boxes).
func TestTimeRangeLabelsAsViewer(t *testing.T) {
	labels := []string{`<label>From (UTC) <input type="datetime-local" name="from"`, `<label>To (UTC) <input type="datetime-local" name="to"`}
	runScenarios(t, []scenario{
		{name: "event log", method: "GET", url: "/events", as: store.LevelReadOnly, wantStatus: http.StatusOK, wantContains: labels},
		{name: "audit log", method: "GET", url: "/audit", as: store.LevelAdmin, wantStatus: http.StatusOK, wantContains: labels},
	})
}
