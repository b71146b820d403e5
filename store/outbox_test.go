package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestEnqueueReplayOfASimulatedEventTwice replays, twice, an event the
// console generated itself: its webhook-id is already an outbox row's, and
// each replay is one more row under the same id, signed.
func TestEnqueueReplayOfASimulatedEventTwice(t *testing.T) {
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 100_00, nil)
	ctx := context.Background()
	sim := simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1"})
	if sim.Outbox.Scheme != "" {
		t.Errorf("simulation row scheme = %q, want \"\" (the dispatcher's setting)", sim.Outbox.Scheme)
	}
	for i := range 2 {
		m, err := st.EnqueueReplay(ctx, "7", sim.Outbox.Body, sim.Outbox.WebhookID, qa)
		if err != nil {
			t.Fatalf("replay %d: %v", i+1, err)
		}
		got, _, err := st.OutboxMessage(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.WebhookID != sim.Outbox.WebhookID || got.Scheme != SchemeStandard || got.ReplayOfEvent != "7" || got.ID == sim.Outbox.ID {
			t.Errorf("replay %d row = %+v, want a new row, signed under webhook-id %s", i+1, got, sim.Outbox.WebhookID)
		}
	}
	if rows, _ := st.AuditLog(ctx, AuditFilter{Action: "event.replay"}); len(rows) != 2 {
		t.Errorf("replay audit rows = %d, want 2", len(rows))
	}
}

// TestEnqueueReplayOfAKeyOnlyEvent: an event that came with the provider's
// key only has no webhook-id; its replay goes out with the key only, so the
// receiver files it under the same operation_id, sub_operation and status.
func TestEnqueueReplayOfAKeyOnlyEvent(t *testing.T) {
	st := openSimStore(t)
	ctx := context.Background()
	raw := []byte(`{"operation":"CARDS","sub_operation":"REFUND","operation_id":"ext-1","status":"SUCCESS"}`)
	m, err := st.EnqueueReplay(ctx, "3", raw, "", qa)
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ := st.OutboxMessage(ctx, m.ID)
	if got.Scheme != SchemeProvider || got.WebhookID == "" {
		t.Errorf("row = %+v, want scheme %q (and a webhook id of its own, never sent)", got, SchemeProvider)
	}
	rows, err := st.RecentOutbox(ctx, OutboxFilter{ReplayOfEvent: "3"})
	if err != nil || len(rows) != 1 || rows[0].Scheme != SchemeProvider {
		t.Errorf("RecentOutbox = %+v, %v; want the row with its scheme", rows, err)
	}
}

// TestMigrationKeepsOutboxRows opens a database made by migrations up to
// 0005 with an outbox row and its attempt, and checks that the rebuild of
// 0006 keeps both and lets two rows share a webhook-id.
func TestMigrationKeepsOutboxRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{w: w, path: path, now: time.Now}
	all, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.version > 5 {
			break
		}
		err := old.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec(m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, 0)`, m.version, m.name)
			return err
		})
		if err != nil {
			t.Fatalf("apply %s: %v", m.name, err)
		}
	}
	for _, q := range []string{
		`INSERT INTO outbox(id, webhook_id, operation_id, operation, sub_operation, status, body, source, state, attempts, next_attempt_at, created_at)
			VALUES (5, 'msg_old', 'op-old', 'CARDS', 'AUTHORIZATION', 'PENDING', '{}', 'simulate', 'delivered', 1, 1, 1)`,
		`INSERT INTO outbox_attempts(outbox_id, n, target, started_at, duration_ms, http_status) VALUES (5, 1, 'http://x', 1, 2, 200)`,
	} {
		if _, err := w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open after 0005: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	m, atts, err := st.OutboxMessage(ctx, 5)
	if err != nil || m.WebhookID != "msg_old" || m.State != OutboxDelivered || m.Scheme != "" || len(atts) != 1 || atts[0].HTTPStatus != 200 {
		t.Fatalf("row after 0006 = %+v, attempts %+v, %v; want it kept with its attempt", m, atts, err)
	}
	if _, err := st.EnqueueReplay(ctx, "1", []byte(`{}`), "msg_old", qa); err != nil {
		t.Errorf("a second row under msg_old: %v", err)
	}
	var fk int
	if err := st.r.QueryRow(`SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign key check: %d problems, %v", fk, err)
	}
}

// TestRefusalHeadersAreBounded sends a refusal with a megabyte header, a
// multi-byte value cut mid-character, and more headers than are kept.
func TestRefusalHeadersAreBounded(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	h := map[string][]string{
		"X-Webhook-Key": {"[redacted]"},
		"X-Huge":        {strings.Repeat("a", 1<<20)},
		"X-Accents":     {strings.Repeat("é", 200)},
	}
	for i := range 100 {
		h["X-Junk-"+strings.Repeat("j", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))] = []string{"v"}
	}
	if err := st.RecordRefusal(ctx, Refusal{HTTPStatus: 401, Code: "WRONG_KEY", Reason: "wrong key", Headers: h}); err != nil {
		t.Fatal(err)
	}
	rs, err := st.Refusals(ctx, 0, 1)
	if err != nil || len(rs) != 1 {
		t.Fatalf("refusals = %v, %v", rs, err)
	}
	checkBounded(t, rs[0].Headers)
	if got := rs[0].Headers["X-Webhook-Key"]; len(got) != 1 || got[0] != "[redacted]" {
		t.Errorf("X-Webhook-Key = %v, want it kept ahead of the junk", got)
	}
	if got := rs[0].Headers["X-Huge"]; len(got) != 1 || !strings.HasSuffix(got[0], "(cut from 1048576 bytes)") {
		t.Errorf("X-Huge = %.80q, want it cut and marked", got)
	}
	if got := rs[0].Headers["X-Accents"]; len(got) != 1 || !utf8.ValidString(got[0]) || !strings.Contains(got[0], "cut from 400 bytes") {
		t.Errorf("X-Accents = %q, want it cut on a character boundary and marked", got)
	}
	if got := rs[0].Headers[HeadersNotKept]; len(got) != 1 || !strings.Contains(got[0], "more header values") {
		t.Errorf("%s = %v, want how many were left out", HeadersNotKept, got)
	}
}

// TestDeliveryHeadersAreBounded: an accepted delivery's headers are bounded
// too, for the first delivery and for a retry.
func TestDeliveryHeadersAreBounded(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	d := testDelivery("op-big", "AUTHORIZATION", "PENDING")
	d.Headers = map[string][]string{"Content-Type": {"application/json"}, "X-Huge": {strings.Repeat("b", 1<<20)}}
	rec, err := st.RecordDelivery(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	ev, err := st.Event(ctx, rec.EventID)
	if err != nil || len(ev.Deliveries) != 2 {
		t.Fatalf("event = %+v, %v; want two deliveries", ev, err)
	}
	for i, del := range ev.Deliveries {
		checkBounded(t, del.Headers)
		if del.Headers["Content-Type"][0] != "application/json" {
			t.Errorf("delivery %d headers = %v, want Content-Type kept", i+1, del.Headers)
		}
	}
	// Headers within the bounds are kept as they came.
	small := map[string][]string{"A": {"b"}}
	if got := BoundHeaders(small); len(got) != 1 || got["A"][0] != "b" {
		t.Errorf("BoundHeaders(%v) = %v, want it unchanged", small, got)
	}
}

func checkBounded(t *testing.T, h map[string][]string) {
	t.Helper()
	n, size := 0, 0
	for k, vs := range h {
		if len(k) > MaxKeptHeaderValue {
			t.Errorf("header name of %d bytes kept", len(k))
		}
		for _, v := range vs {
			n++
			size += len(k) + len(v)
			if len(v) > MaxKeptHeaderValue {
				t.Errorf("header %s: value of %d bytes kept, want at most %d", k, len(v), MaxKeptHeaderValue)
			}
		}
	}
	if n > MaxKeptHeaders || size > MaxKeptHeaderBytes {
		t.Errorf("kept %d header values, %d bytes; want at most %d and %d", n, size, MaxKeptHeaders, MaxKeptHeaderBytes)
	}
}
