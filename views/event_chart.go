package views

import (
	"time"

	"cardops/store"
)

// EventCharts are the event log's charts: notifications per minute for the
// last hour and per hour for the last day, by status, following the page's
// operation, sub-operation and status filters.
type EventCharts struct {
	// URL fetches the charts again (GET /events/chart with the filter).
	URL       string
	Hour, Day StackedBars
	// Ignored names the page's filters the charts do not follow, "" when
	// they follow all of them.
	Ignored string
}

// ChartStatuses are the statuses the charts draw, in this order; any other
// status is counted as "Other".
var ChartStatuses = []string{"SUCCESS", "PENDING", "FAILED", "CANCELLED"}

// NewStackedBars lays counts out in n buckets of size bucket ending at end
// (exclusive; the last bucket is the one holding end-1ms), one series per
// status of ChartStatuses and one for the others.
func NewStackedBars(id, title, what string, counts []store.EventCount, end time.Time, bucket time.Duration, n int, layout string, every int) StackedBars {
	last := end.Add(-time.Millisecond).Truncate(bucket)
	first := last.Add(-time.Duration(n-1) * bucket)
	c := StackedBars{ID: id, Title: title, Layout: layout, Every: every}
	for i := range n {
		c.Buckets = append(c.Buckets, first.Add(time.Duration(i)*bucket).UTC())
	}
	names := append(append([]string{}, ChartStatuses...), "Other")
	for _, name := range names {
		c.Series = append(c.Series, ChartSeries{Name: name, Class: "s-" + lower(name), Values: make([]int64, n)})
	}
	var total int64
	for _, ct := range counts {
		i := int(ct.Start.Sub(first) / bucket)
		if i < 0 || i >= n {
			continue
		}
		s := len(names) - 1
		for j, st := range ChartStatuses {
			if ct.Status == st {
				s = j
			}
		}
		c.Series[s].Values[i] += ct.N
		total += ct.N
	}
	noun := " notifications "
	if total == 1 {
		noun = " notification "
	}
	c.Desc = itoa64(total) + noun + what + ", by status; the table below gives each figure."
	return c
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
