package web

import (
	"net/http"
	"testing"
)

func chartNotification(opID, op, status string) string {
	return `{"operation":"` + op + `","sub_operation":"AUTHORIZATION","operation_id":"` + opID +
		`","status":"` + status + `","data":{"card_id":"c-chart"}}`
}

// TestEventChart: the event log draws notifications per minute and per
// hour as SVG with a title, a description, axes and a table of the
// figures; the charts follow the operation and status filters and say
// which filters they ignore.
func TestEventChart(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	deliverOK(t, e, chartNotification("ch-1", "CARDS", "SUCCESS"))
	deliverOK(t, e, chartNotification("ch-2", "CARDS", "SUCCESS"))
	deliverOK(t, e, chartNotification("ch-3", "TREASURY", "FAILED"))
	for _, sc := range []scenario{
		{name: "event log has both charts", method: http.MethodGet, url: "/events", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{
				`<svg viewBox="0 0 640 180" role="img" aria-labelledby="chart-hour-svg-title chart-hour-desc"`,
				`<title id="chart-hour-svg-title">Notifications per minute, last hour (UTC)</title>`,
				`<desc id="chart-hour-desc">3 notifications in the last hour, by status`,
				`<desc id="chart-day-desc">3 notifications in the last 24 hours, by status`,
				`<g class="axis y" aria-hidden="true">`, `<g class="axis x" aria-hidden="true">`,
				`<summary>Figures as a table</summary>`, `<th scope="col">SUCCESS</th>`, `<th scope="col">FAILED</th>`,
				`hx-get="/events/chart"`, `hx-trigger="htmx:sseMessage from:body throttle:5s"`,
			},
			wantNotContains: []string{`data-testid="chart-ignores"`}},
		{name: "chart follows operation", method: http.MethodGet, url: "/events/chart?operation=treasury", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<desc id="chart-hour-desc">1 notification in the last hour`, `hx-get="/events/chart?operation=treasury"`}},
		{name: "chart follows status", method: http.MethodGet, url: "/events/chart?status=SUCCESS", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<desc id="chart-hour-desc">2 notifications in the last hour`}},
		{name: "chart says it ignores card and text", method: http.MethodGet, url: "/events/chart?card=c-chart&q=chart", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`<desc id="chart-hour-desc">3 notifications`, `they ignore the card and text filters.`}},
		{name: "anonymous is sent to sign in", method: http.MethodGet, url: "/events/chart", wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/login?next=%2Fevents%2Fchart"}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, e) })
	}
}
