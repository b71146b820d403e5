package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// coffeeDeliveries returns n Corner Coffee authorizations of card c1 at
// at, named e0, e1, ….
func coffeeDeliveries(n int, at time.Time) []Delivery {
	ds := make([]Delivery, n)
	for i := range ds {
		ds[i] = textTestDelivery(fmt.Sprintf("e%d", i), "c1", at, "Corner Coffee")
	}
	return ds
}

func textTestDelivery(opID, card string, at time.Time, merchant string) Delivery {
	return Delivery{ReceivedAt: at, Headers: map[string][]string{}, Verification: "provider-key: ok",
		Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: opID, Status: "SUCCESS", CardID: card,
		Body: []byte(fmt.Sprintf(`{"merchant":%q,"ref":"ref-%s-x"}`, merchant, opID))}
}

// indexedIDs returns the events the text index holds for every trigram of
// term, in id order, each as often as the index returns it.
func indexedIDs(t *testing.T, st *Store, term string) []int64 {
	t.Helper()
	rows, err := st.r.QueryContext(context.Background(),
		`SELECT rowid FROM webhook_events_text WHERE webhook_events_text MATCH ? ORDER BY rowid`, trigramQuery(term))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func storedEventIDs(t *testing.T, st *Store) []int64 {
	t.Helper()
	rows, err := st.r.QueryContext(context.Background(), `SELECT id FROM webhook_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func textMark(t *testing.T, st *Store) int64 {
	t.Helper()
	var mark int64
	if err := st.r.QueryRowContext(context.Background(), textMarkSQL).Scan(&mark); err != nil {
		t.Fatal(err)
	}
	return mark
}

// indexAll runs IndexEventText until nothing is left and returns how many
// events each call indexed.
func indexAll(t *testing.T, st *Store) []int {
	t.Helper()
	var calls []int
	for {
		x, err := st.IndexEventText(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if x.Events == 0 {
			return calls
		}
		calls = append(calls, x.Events)
	}
}

// checkTextIndex checks the index's own consistency and that it holds
// exactly the stored events: term is in every stored body, and each
// event's own reference finds it (among others whose references hold the
// same trigrams).
func checkTextIndex(t *testing.T, st *Store, term string) {
	t.Helper()
	if _, err := st.w.ExecContext(context.Background(), `INSERT INTO webhook_events_text(webhook_events_text) VALUES ('integrity-check')`); err != nil {
		t.Errorf("integrity-check: %v", err)
	}
	stored := storedEventIDs(t, st)
	if got := indexedIDs(t, st, term); fmt.Sprint(got) != fmt.Sprint(stored) {
		t.Errorf("index holds %v for %q, want the stored events %v", got, term, stored)
	}
	for i, id := range stored {
		if i%37 != 0 && i != len(stored)-1 {
			continue
		}
		e, err := st.Event(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		ref := "ref-" + e.OperationID + "-x"
		if got := indexedIDs(t, st, ref); !slices.Contains(got, id) {
			t.Errorf("index holds %v for %q, want %d among them", got, ref, id)
		}
	}
}

func eventIDs(t *testing.T, st *Store, f EventFilter) []int64 {
	t.Helper()
	evs, err := st.Events(context.Background(), f)
	if err != nil {
		t.Fatalf("%+v: %v", f, err)
	}
	var ids []int64
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	return ids
}

// TestTextSearchFindsEventsNotYetIndexed: the receiver's commit leaves the
// text index alone; text search finds the new events by reading them,
// alone, with a card filter and beside indexed ones, with the index's
// meaning (a term within one value), and finds each event once after the
// indexer has passed it.
func TestTextSearchFindsEventsNotYetIndexed(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	at := time.UnixMilli(1_800_000_000_000)
	r1, err := st.RecordDelivery(ctx, textTestDelivery("a1", "c1", at, "Harbour Lights"))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := st.RecordDelivery(ctx, textTestDelivery("a2", "c2", at, "Corner Coffee"))
	if err != nil {
		t.Fatal(err)
	}
	if got := indexedIDs(t, st, "ref"); len(got) != 0 {
		t.Errorf("the group commit indexed %v, want nothing (the indexer's work)", got)
	}
	one := func(id int64) []int64 { return []int64{id} }
	searches := []struct {
		f    EventFilter
		want []int64
	}{
		{EventFilter{Q: "harbour LIGHTS"}, one(r1.EventID)},
		{EventFilter{Q: "Harbour", Card: "c1"}, one(r1.EventID)},
		{EventFilter{Q: "Harbour", Card: "c2"}, nil},
		{EventFilter{Q: "Corner", CardIDs: []string{"c1", "c2"}}, one(r2.EventID)},
		{EventFilter{Q: "Nowhere at all"}, nil},
		{EventFilter{Q: "Nowhere at all", Card: "c1"}, nil},
		// In the body, but across a key and its value: not in one value.
		{EventFilter{Q: `merchant":"Harbour`}, nil},
		{EventFilter{Q: `merchant":"Harbour`, Card: "c1"}, nil},
		{EventFilter{Q: "ref-a", Ascending: true}, []int64{r1.EventID, r2.EventID}},
		{EventFilter{Q: "ref-a", BeforeID: r2.EventID}, one(r1.EventID)},
	}
	check := func(when string) {
		t.Helper()
		for _, s := range searches {
			if got := eventIDs(t, st, s.f); fmt.Sprint(got) != fmt.Sprint(s.want) {
				t.Errorf("%s: %+v found %v, want %v", when, s.f, got, s.want)
			}
		}
	}
	check("not indexed")
	if mark := textMark(t, st); mark != 0 {
		t.Errorf("mark = %d before indexing, want 0", mark)
	}
	x, err := st.IndexEventText(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if x.Events != 2 || x.Mark != r2.EventID || textMark(t, st) != r2.EventID {
		t.Errorf("indexed %+v (mark %d), want 2 events up to %d", x, textMark(t, st), r2.EventID)
	}
	check("indexed")
	checkTextIndex(t, st, "ref")

	// One more, not indexed, beside the indexed ones.
	r3, err := st.RecordDelivery(ctx, textTestDelivery("a3", "c1", at, "Harbour Lights"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		f    EventFilter
		want []int64
	}{
		{EventFilter{Q: "Harbour"}, []int64{r3.EventID, r1.EventID}},
		{EventFilter{Q: "Harbour", Ascending: true}, []int64{r1.EventID, r3.EventID}},
		{EventFilter{Q: "Harbour", Card: "c1"}, []int64{r3.EventID, r1.EventID}},
		{EventFilter{Q: "Harbour", Limit: 1}, []int64{r3.EventID}},
		{EventFilter{Q: "Harbour", AfterID: r1.EventID}, []int64{r3.EventID}},
	} {
		if got := eventIDs(t, st, s.f); fmt.Sprint(got) != fmt.Sprint(s.want) {
			t.Errorf("mixed: %+v found %v, want %v", s.f, got, s.want)
		}
	}
}

// TestIndexEventTextCatchesUp: the indexer takes the events in batches of
// at most TextIndexBatch, the receiver commits between its batches and
// while it reads one, and once caught up the index holds exactly the
// stored events.
func TestIndexEventTextCatchesUp(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	at := time.UnixMilli(1_800_000_000_000)
	ds := coffeeDeliveries(2*TextIndexBatch+500, at)
	recordInChunks(t, st, ds)
	// The writer is free while the indexer reads a batch and computes its
	// values: a delivery commits then.
	n := 0
	st.afterTextRead = func() {
		n++
		if n > 3 {
			return
		}
		if _, err := st.RecordDelivery(ctx, textTestDelivery(fmt.Sprintf("during%d", n), "c2", at, "Corner Coffee")); err != nil {
			t.Errorf("ingest while the indexer reads: %v", err)
		}
	}
	var calls []int
	for {
		x, err := st.IndexEventText(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if x.Events > TextIndexBatch {
			t.Fatalf("one transaction indexed %d events, want at most %d", x.Events, TextIndexBatch)
		}
		if x.Events == 0 {
			break
		}
		calls = append(calls, x.Events)
		// And between batches.
		if len(calls) > 3 {
			continue
		}
		if _, err := st.RecordDelivery(ctx, textTestDelivery(fmt.Sprintf("between%d", len(calls)), "c2", at, "Corner Coffee")); err != nil {
			t.Fatalf("ingest between batches: %v", err)
		}
		if len(calls) > 10 {
			t.Fatalf("the indexer does not catch up: %v", calls)
		}
	}
	st.afterTextRead = nil
	if len(calls) < 3 || calls[0] != TextIndexBatch {
		t.Errorf("batches %v, want full batches of %d first", calls, TextIndexBatch)
	}
	stored := storedEventIDs(t, st)
	if mark := textMark(t, st); mark != stored[len(stored)-1] {
		t.Errorf("mark %d, want the newest event %d", mark, stored[len(stored)-1])
	}
	checkTextIndex(t, st, "Corner Coffee")
	if got := eventIDs(t, st, EventFilter{Q: "ref-e17-x"}); len(got) != 1 {
		t.Errorf("found %v, want one event", got)
	}
}

// TestTextIndexAndRetention: retention deletes indexed and unindexed events
// alike (it must not tell the index to forget a row it never held), also
// while the indexer is between reading a batch and writing it; and once
// retention has emptied the log, SQLite numbers new events from 1 again,
// below the old mark, and they are still found and indexed.
func TestTextIndexAndRetention(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	base := time.UnixMilli(1_800_000_000_000)
	cutoff := base.Add(24 * time.Hour)
	var old []Delivery
	for i := range 1200 {
		old = append(old, textTestDelivery(fmt.Sprintf("old%d", i), "c1", base.Add(time.Duration(i)*time.Second), "Corner Coffee"))
	}
	if _, err := st.RecordDeliveries(ctx, old[:700]); err != nil {
		t.Fatal(err)
	}
	if calls := indexAll(t, st); fmt.Sprint(calls) != "[700]" {
		t.Fatalf("indexed %v, want [700]", calls)
	}
	var fresh []Delivery
	for i := range 3 {
		fresh = append(fresh, textTestDelivery(fmt.Sprintf("new%d", i), "c1", cutoff.Add(time.Hour), "Corner Coffee"))
	}
	if _, err := st.RecordDeliveries(ctx, append(old[700:], fresh...)); err != nil {
		t.Fatal(err)
	}
	// Retention runs while the indexer holds a batch it has read: 700
	// indexed old events, 500 unindexed ones, read by the indexer.
	pruned := 0
	st.afterTextRead = func() {
		st.afterTextRead = nil
		for {
			p, err := st.PruneEvents(ctx, cutoff)
			if err != nil {
				t.Fatal(err)
			}
			pruned += p.Events
			if !p.More() {
				return
			}
		}
	}
	indexAll(t, st)
	if pruned != 1200 {
		t.Fatalf("pruned %d, want 1200", pruned)
	}
	checkTextIndex(t, st, "Corner Coffee")
	if got := eventIDs(t, st, EventFilter{Q: "Corner Coffee", Limit: 1000}); len(got) != 3 {
		t.Errorf("text search found %d events, want the 3 left", len(got))
	}
	if got := eventIDs(t, st, EventFilter{Q: "ref-old"}); len(got) != 0 {
		t.Errorf("text search found deleted events %v", got)
	}

	// Retention empties the log; new events take ids from 1 again.
	for {
		p, err := st.PruneEvents(ctx, cutoff.Add(48*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !p.More() {
			break
		}
	}
	if got := storedEventIDs(t, st); len(got) != 0 {
		t.Fatalf("left %v, want none", got)
	}
	r, err := st.RecordDelivery(ctx, textTestDelivery("again", "c1", cutoff.Add(50*time.Hour), "Harbour Lights"))
	if err != nil {
		t.Fatal(err)
	}
	if r.EventID > 1203 {
		t.Logf("new event numbered %d: SQLite did not reuse ids here", r.EventID)
	}
	if got := eventIDs(t, st, EventFilter{Q: "Harbour"}); fmt.Sprint(got) != fmt.Sprint([]int64{r.EventID}) {
		t.Errorf("not indexed yet: found %v, want [%d]", got, r.EventID)
	}
	indexAll(t, st)
	if got := eventIDs(t, st, EventFilter{Q: "Harbour"}); fmt.Sprint(got) != fmt.Sprint([]int64{r.EventID}) {
		t.Errorf("indexed: found %v, want [%d]", got, r.EventID)
	}
	checkTextIndex(t, st, "ref")
}

// TestIndexEventTextResumesAfterRestart: the mark is kept in the database,
// so a restarted indexer goes on from it, indexing no event twice.
func TestIndexEventTextResumesAfterRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1_800_000_000_000)
	ds := coffeeDeliveries(TextIndexBatch+300, at)
	recordInChunks(t, st, ds)
	x, err := st.IndexEventText(ctx)
	if err != nil || x.Events != TextIndexBatch {
		t.Fatalf("indexed %+v (%v), want a full batch", x, err)
	}
	st.Close()

	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if mark := textMark(t, st); mark != x.Mark {
		t.Errorf("mark after restart %d, want %d", mark, x.Mark)
	}
	if calls := indexAll(t, st); fmt.Sprint(calls) != "[300]" {
		t.Errorf("after restart indexed %v, want [300]", calls)
	}
	checkTextIndex(t, st, "Corner Coffee")
}

// TestMigration0021MarksIndexedEvents opens a database as 0021 finds it,
// every event already in the text index (0017 and the group commit wrote
// them), and checks that the mark starts at the newest event.
func TestMigration0021MarksIndexedEvents(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1_800_000_000_000)
	ds := coffeeDeliveries(50, at)
	if _, err := st.RecordDeliveries(ctx, ds); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO webhook_events_text(rowid, payload_values) SELECT id, cardops_payload_values(body) FROM webhook_events`,
		`DROP TABLE webhook_events_text_mark`,
		`DELETE FROM schema_migrations WHERE version = 21`,
	} {
		if _, err := st.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	stored := storedEventIDs(t, st)
	if mark := textMark(t, st); mark != stored[len(stored)-1] {
		t.Errorf("mark %d, want the newest event %d", mark, stored[len(stored)-1])
	}
	if calls := indexAll(t, st); len(calls) != 0 {
		t.Errorf("indexed %v again", calls)
	}
	checkTextIndex(t, st, "Corner Coffee")

	// And on an empty database the mark is 0.
	empty := openTestStore(t)
	if mark := textMark(t, empty); mark != 0 {
		t.Errorf("empty database: mark %d, want 0", mark)
	}
}

// TestIndexEventTextLoopStops: the loop indexes what arrives and returns
// once its context is done.
func TestIndexEventTextLoopStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st := openTestStore(t)
	r, err := st.RecordDelivery(ctx, textTestDelivery("a1", "c1", time.UnixMilli(1_800_000_000_000), "Harbour Lights"))
	if err != nil {
		t.Fatal(err)
	}
	indexed := make(chan Indexed, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.IndexEventTextLoop(ctx, time.Millisecond, time.Millisecond, func(x Indexed, err error) {
			if err != nil {
				t.Error(err)
			}
			indexed <- x
		})
	}()
	if x := <-indexed; x.Mark != r.EventID {
		t.Errorf("indexed %+v, want up to %d", x, r.EventID)
	}
	cancel()
	<-done
	if got := indexedIDs(t, st, "Harbour"); !slices.Equal(got, []int64{r.EventID}) {
		t.Errorf("index holds %v", got)
	}
}

// recordInChunks stores ds a few hundred at a time, as group commits do:
// thousands in one transaction can outlast the write timeout under -race on
// a busy machine.
func recordInChunks(t *testing.T, st *Store, ds []Delivery) {
	t.Helper()
	for len(ds) > 0 {
		n := min(len(ds), 500)
		if _, err := st.RecordDeliveries(context.Background(), ds[:n]); err != nil {
			t.Fatal(err)
		}
		ds = ds[n:]
	}
}
