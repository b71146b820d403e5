package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

// TestMigration0024PutsEventTimesInIDOrder opens a database whose events
// were stamped out of id order (as the receiver did before 0024: two
// deliveries a millisecond apart, a clock set back across an hour), as 0024
// finds it, and checks that each such event takes the newest earlier
// event's time, that the per-minute spans and the chart's counts still
// equal counts of the rows, and that webhook_events_card_time is gone.
func TestMigration0024PutsEventTimesInIDOrder(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2027, 3, 1, 9, 58, 0, 0, time.UTC)
	var ds []store.Delivery
	for i := range 60 {
		ds = append(ds, store.Delivery{ReceivedAt: base.Add(time.Duration(i) * 7 * time.Second), Headers: map[string][]string{},
			Verification: "provider-key: ok", Operation: []string{"CARDS", "cards", "TREASURY"}[i%3],
			SubOperation: "AUTHORIZATION", OperationID: fmt.Sprintf("op-%d", i), Status: []string{"SUCCESS", "failed"}[i%2],
			CardID: []string{"card-a", "card-b"}[i%2], Body: []byte(`{}`)})
	}
	recs, err := st.RecordDeliveries(ctx, ds)
	if err != nil {
		t.Fatal(err)
	}
	w := st.Writer()
	for _, q := range []string{
		// Out of order as the receiver could store them before 0024: a
		// millisecond before the event before it, a minute back, and a clock
		// set back out of the hour.
		fmt.Sprintf(`UPDATE webhook_events SET received_at = received_at - 7001 WHERE id = %d`, recs[10].EventID),
		fmt.Sprintf(`UPDATE webhook_events SET received_at = received_at - 60000, last_received_at = received_at - 60000 WHERE id = %d`, recs[20].EventID),
		fmt.Sprintf(`UPDATE webhook_events SET received_at = received_at - 3 * 3600000, last_received_at = received_at WHERE id IN (%d, %d)`,
			recs[40].EventID, recs[41].EventID),
		// Spans and counts as 0017 and 0018 computed them from the rows.
		`DELETE FROM webhook_event_minutes`, `DELETE FROM webhook_event_counts`, `DELETE FROM webhook_event_counts_hourly`,
		`INSERT INTO webhook_event_minutes(minute, first_id, last_id)
			SELECT received_at / 60000, min(id), max(id) FROM webhook_events GROUP BY 1`,
		`INSERT INTO webhook_event_counts(minute, operation, sub_operation, status, n)
			SELECT received_at / 60000, operation, sub_operation, status, count(*) FROM webhook_events GROUP BY 1, 2, 3, 4`,
		`INSERT INTO webhook_event_counts_hourly(hour, operation, sub_operation, status, n)
			SELECT received_at / 3600000, operation, sub_operation, status, count(*) FROM webhook_events GROUP BY 1, 2, 3, 4`,
		`DELETE FROM schema_migrations WHERE version = 24`,
		`CREATE INDEX webhook_events_card_time ON webhook_events(card_id, received_at, id) WHERE card_id <> ''`,
	} {
		if _, err := w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := eventTimes(t, w)
	st.Close()

	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	r := st.Reader()
	after := eventTimes(t, r)
	var running int64
	moved := 0
	for i, e := range before {
		running = max(running, e.at)
		if after[i].id != e.id || after[i].at != running || after[i].last < running {
			t.Errorf("event %d: stored at %d (last %d), want the running maximum %d (was %d)", e.id, after[i].at, after[i].last, running, e.at)
		}
		if e.at != running {
			moved++
		}
	}
	if moved != 4 {
		t.Errorf("%d events moved, want the 4 stamped out of order", moved)
	}
	for _, c := range []struct{ name, table, rows string }{
		{"spans", `SELECT minute, first_id, last_id FROM webhook_event_minutes ORDER BY 1`,
			`SELECT received_at / 60000, min(id), max(id) FROM webhook_events GROUP BY 1 ORDER BY 1`},
		{"counts", `SELECT minute, operation, sub_operation, status, n FROM webhook_event_counts ORDER BY 1, 2, 3, 4`,
			`SELECT received_at / 60000, operation, sub_operation, status, count(*) FROM webhook_events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
		{"hourly counts", `SELECT hour, operation, sub_operation, status, n FROM webhook_event_counts_hourly ORDER BY 1, 2, 3, 4`,
			`SELECT received_at / 3600000, operation, sub_operation, status, count(*) FROM webhook_events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`},
	} {
		if got, want := rowStrings(t, r, c.table), rowStrings(t, r, c.rows); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", c.name, got, want)
		}
	}
	var n int
	if err := r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'webhook_events_card_time'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("webhook_events_card_time: %d, %v; want it dropped", n, err)
	}
}

type eventTime struct{ id, at, last int64 }

func eventTimes(t *testing.T, db *sql.DB) []eventTime {
	t.Helper()
	rows, err := db.Query(`SELECT id, received_at, last_received_at FROM webhook_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []eventTime
	for rows.Next() {
		var e eventTime
		if err := rows.Scan(&e.id, &e.at, &e.last); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func rowStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	_, rows := storetest.Rows(t, db, q)
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprint(r...))
	}
	return out
}
