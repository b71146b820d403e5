package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"cardops/store"
	"cardops/views"
)

// eventChartShow answers the event log's charts alone, for the filter in
// the URL: the page fetches them again while its live tail runs.
func (s *Server) eventChartShow(w http.ResponseWriter, r *http.Request) {
	form, f := parseEventFilter(r.URL.Query())
	c, err := s.eventCharts(r.Context(), form, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.EventChartsView(c))
}

// eventCharts counts the notifications of the last hour per minute and of
// the last day per hour, from the counts kept at ingest. Those are kept by
// operation, sub-operation and status only, so the charts follow those
// filters and say which others they ignore.
func (s *Server) eventCharts(ctx context.Context, form views.EventFilterForm, f store.EventFilter) (views.EventCharts, error) {
	now := s.now().UTC()
	end := now.Truncate(time.Minute).Add(time.Minute)
	hour, err := s.store.EventCounts(ctx, f, end.Add(-time.Hour), end, time.Minute)
	if err != nil {
		return views.EventCharts{}, err
	}
	dayEnd := now.Truncate(time.Hour).Add(time.Hour)
	day, err := s.store.EventCounts(ctx, f, dayEnd.Add(-24*time.Hour), dayEnd, time.Hour)
	if err != nil {
		return views.EventCharts{}, err
	}
	c := views.EventCharts{
		URL:  chartURL(form),
		Hour: views.NewStackedBars("chart-hour", "Notifications per minute, last hour (UTC)", "in the last hour", hour, end, time.Minute, 60, "15:04", 10),
		Day:  views.NewStackedBars("chart-day", "Notifications per hour, last 24 hours (UTC)", "in the last 24 hours", day, dayEnd, time.Hour, 24, "15:04", 4),
	}
	var ignored []string
	if form.Card != "" {
		ignored = append(ignored, "card")
	}
	if form.Q != "" {
		ignored = append(ignored, "text")
	}
	if form.From != "" || form.To != "" {
		ignored = append(ignored, "time range")
	}
	if len(ignored) > 0 {
		noun := " filter."
		if len(ignored) > 1 {
			noun = " filters."
		}
		c.Ignored = "The charts count every notification of the operation, sub-operation and status chosen; they ignore the " +
			strings.Join(ignored, " and ") + noun
	}
	return c, nil
}

func chartURL(form views.EventFilterForm) string {
	v := form.Values()
	if len(v) == 0 {
		return "/events/chart"
	}
	return "/events/chart?" + v.Encode()
}
