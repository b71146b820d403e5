package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestEventCountsMatchRows compares the chart's counts, kept at ingest,
// with a count of the stored events, by bucket and status, with and without
// filters; retries add no count.
func TestEventCountsMatchRows(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	rnd := rand.New(rand.NewPCG(3, 4))
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	base := time.Date(2027, 1, 15, 8, 0, 0, 0, time.UTC)
	var ds []Delivery
	for i := range 600 {
		ds = append(ds, Delivery{ReceivedAt: base.Add(time.Duration(rnd.IntN(180*60)) * time.Second),
			Headers: map[string][]string{}, Verification: "provider-key: ok",
			Operation: pick("CARDS", "cards", "TREASURY"), SubOperation: pick("AUTHORIZATION", "CLEARING"),
			OperationID: fmt.Sprintf("x%d", i), Status: pick("SUCCESS", "FAILED", "PENDING", "WEIRD"), Body: []byte(`{}`)})
	}
	// In time order, as the receiver stamps them (it never stamps an
	// event before the one numbered before it).
	slices.SortFunc(ds, func(a, b Delivery) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	// Two batches, the second with retries of the first.
	if _, err := st.RecordDeliveries(ctx, ds[:400]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDeliveries(ctx, append(ds[400:], ds[:50]...)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		f        EventFilter
		bucket   time.Duration
		from, to time.Duration // from base
	}{
		{"per minute", EventFilter{}, time.Minute, 30 * time.Minute, 150 * time.Minute},
		{"per hour from the minutes", EventFilter{}, time.Hour, 30 * time.Minute, 150 * time.Minute},
		{"per hour from the hours", EventFilter{}, time.Hour, time.Hour, 3 * time.Hour},
		{"operation", EventFilter{Operation: "cards"}, time.Minute, 0, 3 * time.Hour},
		{"operation, sub-operation and status", EventFilter{Operation: "TREASURY", SubOperation: "clearing", Status: "failed"}, time.Hour, 0, 3 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := base.Add(tc.from), base.Add(tc.to)
			got, err := st.EventCounts(ctx, tc.f, from, to, tc.bucket)
			if err != nil {
				t.Fatal(err)
			}
			per := tc.bucket.Milliseconds()
			var c conditions
			c.add("received_at >= ? AND received_at < ?", from.UnixMilli(), to.UnixMilli())
			if tc.f.Operation != "" {
				c.add("operation = ?", tc.f.Operation)
			}
			if tc.f.SubOperation != "" {
				c.add("sub_operation = ?", tc.f.SubOperation)
			}
			if tc.f.Status != "" {
				c.add("status = ?", tc.f.Status)
			}
			rows, err := st.r.QueryContext(ctx, `SELECT received_at / ? * ?, status, count(*) FROM webhook_events`+c.where()+
				` GROUP BY 1, 2 ORDER BY 1, 2`, append([]any{per, per}, c.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var want []EventCount
			for rows.Next() {
				var ms int64
				var w EventCount
				if err := rows.Scan(&ms, &w.Status, &w.N); err != nil {
					t.Fatal(err)
				}
				w.Start = time.UnixMilli(ms).UTC()
				want = append(want, w)
			}
			if len(want) == 0 {
				t.Fatal("no rows to compare")
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("counts:\n got %v\nwant %v", got, want)
			}
		})
	}
}
