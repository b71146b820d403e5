package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestPruneEvents deletes only events received before the cutoff, with
// their retries, text index rows, counts and time spans, at most
// RetentionBatch per transaction, and the receiver commits between batches.
func TestPruneEvents(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	base := time.UnixMilli(1_800_000_000_000)
	cutoff := base.Add(24 * time.Hour)
	mk := func(id string, at time.Time) Delivery {
		return Delivery{ReceivedAt: at, Headers: map[string][]string{}, Verification: "provider-key: ok",
			Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: id, Status: "SUCCESS", CardID: "c1",
			Body: []byte(`{"m":"Corner Coffee ` + id + `"}`)}
	}
	var ds []Delivery
	for i := range 1100 {
		ds = append(ds, mk(fmt.Sprintf("old%d", i), base.Add(time.Duration(i)*time.Minute/10)))
	}
	ds = append(ds, mk("edge-old", cutoff.Add(-time.Millisecond)), mk("edge-new", cutoff), mk("new", cutoff.Add(time.Hour)))
	if _, err := st.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	// Indexed, so retention deletes rows of the text index; the events
	// that arrive between its batches are not, until the end.
	indexAll(t, st)
	// A retry of an old event and of a new one.
	if _, err := st.RecordDeliveries(ctx, []Delivery{ds[3], ds[len(ds)-1]}); err != nil {
		t.Fatal(err)
	}
	batches := 0
	for {
		p, err := st.PruneEvents(ctx, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		if p.Events > RetentionBatch {
			t.Fatalf("one transaction deleted %d events, want at most %d", p.Events, RetentionBatch)
		}
		if !p.More() {
			break
		}
		batches++
		// The writer is free between batches: a delivery commits now.
		if _, err := st.RecordDelivery(ctx, mk(fmt.Sprintf("between%d", batches), cutoff.Add(2*time.Hour))); err != nil {
			t.Fatalf("ingest between batches: %v", err)
		}
	}
	if batches < 3 {
		t.Errorf("%d full batches, want at least 3 for 1,101 old events", batches)
	}
	evs, err := st.Events(ctx, EventFilter{Ascending: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.OperationID)
	}
	want := []string{"edge-new", "new"}
	for i := 1; i <= batches; i++ {
		want = append(want, fmt.Sprintf("between%d", i))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("left %v, want %v", got, want)
	}
	indexAll(t, st)
	var retries, orphans, texts, counted, hourly int
	q := func(sql string, dst *int) {
		t.Helper()
		if err := st.r.QueryRowContext(ctx, sql).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT count(*) FROM webhook_retries`, &retries)
	q(`SELECT count(*) FROM webhook_retries WHERE event_id NOT IN (SELECT id FROM webhook_events)`, &orphans)
	// Every event says "Corner Coffee": the index holds a row per event left.
	q(`SELECT count(*) FROM webhook_events_text WHERE webhook_events_text MATCH '"cor" AND "orn" AND "ner"'`, &texts)
	q(`SELECT coalesce(sum(n), 0) FROM webhook_event_counts`, &counted)
	q(`SELECT coalesce(sum(n), 0) FROM webhook_event_counts_hourly`, &hourly)
	if retries != 1 || orphans != 0 {
		t.Errorf("retries %d (of deleted events %d), want 1 (0)", retries, orphans)
	}
	if texts != len(want) || counted != len(want) || hourly != len(want) {
		t.Errorf("text rows %d, counted per minute %d, per hour %d, want %d each", texts, counted, hourly, len(want))
	}
	// The text index forgot the deleted events.
	if found, err := st.Events(ctx, EventFilter{Q: "Corner Coffee old"}); err != nil || len(found) != 0 {
		t.Errorf("text search found %d deleted events (%v)", len(found), err)
	}
}
