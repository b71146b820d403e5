package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func openTestStore(t testing.TB) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func testDelivery(opID, sub, status string) Delivery {
	body := fmt.Sprintf(`{"operation":"CARDS","sub_operation":%q,"operation_id":%q,"status":%q,"data":{"card_id":"card-1","merchant":"Café Zürich"}}`, sub, opID, status)
	return Delivery{
		ReceivedAt: time.UnixMilli(1_800_000_000_000), RemoteAddr: "127.0.0.1",
		Headers:      map[string][]string{"Content-Type": {"application/json"}, "X-Webhook-Key": {"[redacted]"}},
		Verification: "provider-key: ok", Operation: "CARDS", SubOperation: sub, OperationID: opID,
		Status: status, StatusRaw: status, CardID: "card-1", Body: []byte(body),
	}
}

func TestRecordDeliveryDedupesAndKeepsAttempts(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	d := testDelivery("op-1", "AUTHORIZATION", "PENDING")
	first, err := st.RecordDelivery(ctx, d)
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	if first.Duplicate || first.Attempts != 1 || first.EventID == 0 {
		t.Fatalf("first delivery: got %+v, want a new event with 1 attempt", first)
	}
	for i := 2; i <= 3; i++ {
		d.ReceivedAt = d.ReceivedAt.Add(time.Second)
		got, err := st.RecordDelivery(ctx, d)
		if err != nil {
			t.Fatalf("record retry: %v", err)
		}
		if !got.Duplicate || got.Attempts != i || got.EventID != first.EventID {
			t.Fatalf("retry %d: got %+v, want duplicate of event %d with %d attempts", i, got, first.EventID, i)
		}
	}
	// The same operation id with another status is another notification.
	other, err := st.RecordDelivery(ctx, testDelivery("op-1", "AUTHORIZATION", "SUCCESS"))
	if err != nil || other.Duplicate || other.EventID == first.EventID {
		t.Fatalf("other status: got %+v, %v, want a new event", other, err)
	}
	// A Standard Webhooks id dedupes on the id alone.
	w := testDelivery("op-2", "CLEARING", "SUCCESS")
	w.WebhookID = "msg_1"
	a, _ := st.RecordDelivery(ctx, w)
	w.Status = "PENDING" // a sender's bug, but the same message id
	b, err := st.RecordDelivery(ctx, w)
	if err != nil || !b.Duplicate || b.EventID != a.EventID {
		t.Fatalf("same webhook-id: got %+v, %v, want a duplicate of %d", b, err, a.EventID)
	}

	e, err := st.Event(ctx, first.EventID)
	if err != nil {
		t.Fatalf("event: %v", err)
	}
	if e.Attempts != 3 || len(e.Deliveries) != 3 {
		t.Fatalf("event: attempts %d, deliveries %d, want 3 and 3", e.Attempts, len(e.Deliveries))
	}
	if e.Deliveries[0].Duplicate || !e.Deliveries[1].Duplicate || !e.Deliveries[2].Duplicate {
		t.Errorf("deliveries: want first new and the rest duplicates, got %+v", e.Deliveries)
	}
	if string(e.Body) != string(d.Body) {
		t.Errorf("body = %s, want %s", e.Body, d.Body)
	}
	if got := e.Headers()["X-Webhook-Key"]; len(got) != 1 || got[0] != "[redacted]" {
		t.Errorf("headers = %v, want the redacted key kept", e.Headers())
	}
	if !e.LastReceivedAt.Equal(d.ReceivedAt) || e.ReceivedAt.Equal(e.LastReceivedAt) {
		t.Errorf("times: first %v last %v, want last = %v after first", e.ReceivedAt, e.LastReceivedAt, d.ReceivedAt)
	}
	if e.CardID != "card-1" || e.Operation != "CARDS" || e.SubOperation != "AUTHORIZATION" || e.Status != "PENDING" {
		t.Errorf("parsed fields: got %+v", e)
	}
	if _, err := st.Event(ctx, 999999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing event: err = %v, want ErrNotFound", err)
	}
}

func TestRecordDeliveryGroupCommitUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	var mu sync.Mutex
	var published []int64
	remove := st.OnEvents(func(evs []Event) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range evs {
			if len(e.Body) == 0 {
				t.Errorf("listener: event %d without body", e.ID)
			}
			published = append(published, e.ID)
		}
	})
	defer remove()

	const senders, each = 32, 20
	var wg sync.WaitGroup
	ids := make(chan int64, senders*each*2)
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				// Every notification is sent twice, concurrently with others.
				d := testDelivery(fmt.Sprintf("op-%d-%d", s, i), "AUTHORIZATION", "PENDING")
				for range 2 {
					rec, err := st.RecordDelivery(ctx, d)
					if err != nil {
						t.Errorf("record: %v", err)
						return
					}
					ids <- rec.EventID
				}
			}
		})
	}
	wg.Wait()
	close(ids)
	distinct := map[int64]bool{}
	for id := range ids {
		distinct[id] = true
	}
	if len(distinct) != senders*each {
		t.Fatalf("distinct events = %d, want %d", len(distinct), senders*each)
	}
	evs, err := st.Events(ctx, EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != senders*each {
		t.Fatalf("stored events = %d, want %d", len(evs), senders*each)
	}
	for _, e := range evs {
		if e.Attempts != 2 {
			t.Fatalf("event %d: attempts %d, want 2", e.ID, e.Attempts)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(published) != senders*each {
		t.Fatalf("published %d events, want %d (each new event once, no retries)", len(published), senders*each)
	}
	for i := 1; i < len(published); i++ {
		if published[i] <= published[i-1] {
			t.Fatalf("published out of order: %d after %d", published[i], published[i-1])
		}
	}
}

func TestEventsFilters(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	base := time.UnixMilli(1_800_000_000_000)
	mk := func(op, sub, opID, status, card, wallet, body string, at time.Duration) {
		t.Helper()
		_, err := st.RecordDelivery(ctx, Delivery{
			ReceivedAt: base.Add(at), Headers: map[string][]string{}, Verification: "provider-key: ok",
			Operation: op, SubOperation: sub, OperationID: opID, Status: status, StatusRaw: status,
			CardID: card, WalletID: wallet, Body: []byte(body),
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	mk("CARDS", "AUTHORIZATION", "a1", "PENDING", "c1", "", `{"m":"Coffee_Shop 100%"}`, 0)
	mk("CARDS", "CLEARING", "a2", "SUCCESS", "c1", "", `{"m":"Book store"}`, time.Minute)
	mk("VIRTUAL_WALLETS", "WITHDRAW", "a3", "FAILED", "", "w1", `{"m":"withdraw"}`, 2*time.Minute)
	mk("loyalty", "points", "a4", "WEIRD", "c2", "", `{"m":"coffee"}`, 3*time.Minute)

	tests := []struct {
		name string
		f    EventFilter
		want []string // operation ids, newest first
	}{
		{"all", EventFilter{}, []string{"a4", "a3", "a2", "a1"}},
		{"operation ignores case", EventFilter{Operation: "cards"}, []string{"a2", "a1"}},
		{"unknown operation", EventFilter{Operation: "LOYALTY"}, []string{"a4"}},
		{"sub_operation", EventFilter{SubOperation: "CLEARING"}, []string{"a2"}},
		{"status", EventFilter{Status: "failed"}, []string{"a3"}},
		{"card", EventFilter{Card: "c1"}, []string{"a2", "a1"}},
		{"wallet via card", EventFilter{Card: "w1"}, []string{"a3"}},
		{"card ids", EventFilter{CardIDs: []string{"c2", "c1"}}, []string{"a4", "a2", "a1"}},
		{"card or card ids", EventFilter{Card: "w1", CardIDs: []string{"c2"}}, []string{"a4", "a3"}},
		{"card ids name no wallet", EventFilter{CardIDs: []string{"w1"}}, nil},
		{"text ignores ASCII case", EventFilter{Q: "COFFEE"}, []string{"a4", "a1"}},
		{"text with LIKE metacharacters", EventFilter{Q: "_Shop 100%"}, []string{"a1"}},
		{"underscore is literal", EventFilter{Q: "e_s"}, []string{"a1"}},
		{"from", EventFilter{From: base.Add(2 * time.Minute)}, []string{"a4", "a3"}},
		{"to", EventFilter{To: base.Add(time.Minute)}, []string{"a2", "a1"}},
		{"limit and before", EventFilter{Limit: 2}, []string{"a4", "a3"}},
		{"after is oldest first", EventFilter{AfterID: 1}, []string{"a2", "a3", "a4"}},
		{"ascending from the first", EventFilter{Ascending: true}, []string{"a1", "a2", "a3", "a4"}},
		{"no match", EventFilter{Operation: "CARDS", Status: "FAILED"}, nil},
	}
	all, _ := st.Events(ctx, EventFilter{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Events(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.OperationID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
			// Match must agree with the SQL on every stored event.
			if tt.f.Limit == 0 && tt.f.AfterID == 0 && !tt.f.Ascending {
				var matched []string
				for _, e := range all {
					full, _ := st.Event(ctx, e.ID)
					if tt.f.Match(full) {
						matched = append(matched, e.OperationID)
					}
				}
				if fmt.Sprint(matched) != fmt.Sprint(tt.want) {
					t.Errorf("Match: got %v, want %v", matched, tt.want)
				}
			}
		})
	}
	page2, err := st.Events(ctx, EventFilter{BeforeID: all[1].ID, Limit: 2})
	if err != nil || len(page2) != 2 || page2[0].OperationID != "a2" {
		t.Errorf("second page: got %+v, %v, want a2, a1", page2, err)
	}
	cardEvents, err := st.CardEvents(ctx, "c1", 10)
	if err != nil || len(cardEvents) != 2 {
		t.Errorf("card events: got %d, %v, want 2", len(cardEvents), err)
	}
	latest, err := st.LatestEventID(ctx)
	if err != nil || latest != all[0].ID {
		t.Errorf("latest id = %d, %v, want %d", latest, err, all[0].ID)
	}
}

func TestRefusalsAreBoundedAndTruncated(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	st.refusalsKept = 5
	big := make([]byte, MaxRefusalBody*3)
	for i := range 8 {
		err := st.RecordRefusal(ctx, Refusal{ReceivedAt: time.Now(), HTTPStatus: 401, Code: fmt.Sprintf("C%d", i),
			Reason: "wrong key", Headers: map[string][]string{"A": {"b"}}, Body: big, BodySize: int64(len(big))})
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := st.RefusalCount(ctx)
	if err != nil || n != 5 {
		t.Fatalf("count = %d, %v, want 5", n, err)
	}
	rs, err := st.Refusals(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Code != "C7" || rs[4].Code != "C3" {
		t.Errorf("kept %s..%s, want the newest C7..C3", rs[0].Code, rs[4].Code)
	}
	if len(rs[0].Body) != MaxRefusalBody || rs[0].BodySize != int64(len(big)) {
		t.Errorf("body %d bytes (size %d), want %d kept of %d", len(rs[0].Body), rs[0].BodySize, MaxRefusalBody, len(big))
	}
}

func TestRecordAfterCloseFails(t *testing.T) {
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDelivery(context.Background(), testDelivery("x", "A", "SUCCESS")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := st.RecordDelivery(context.Background(), testDelivery("y", "A", "SUCCESS")); !errors.Is(err, ErrIngestClosed) {
		t.Errorf("after close: err = %v, want ErrIngestClosed", err)
	}
}

// TestRecordDeliveriesNeverStampBeforeTheNewestEvent: deliveries stamped
// out of order in one batch, or after a clock was set back, are stored at
// the newest event's time, so event ids and times go up together; a retry
// keeps its event's time.
func TestRecordDeliveriesNeverStampBeforeTheNewestEvent(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	base := time.UnixMilli(1_800_000_000_000)
	d := func(op string, ms int64) Delivery {
		return Delivery{ReceivedAt: base.Add(time.Duration(ms) * time.Millisecond), Headers: map[string][]string{},
			Verification: "provider-key: ok", Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: op,
			Status: "SUCCESS", Body: []byte(`{}`)}
	}
	var heard []Event
	st.OnEvents(func(es []Event) { heard = append(heard, es...) })
	if _, err := st.RecordDeliveries(ctx, []Delivery{d("a", 3000), d("b", 2000), d("c", 4000)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDelivery(ctx, d("d", 1000)); err != nil { // a clock set back
		t.Fatal(err)
	}
	if _, err := st.RecordDelivery(ctx, d("a", 5000)); err != nil { // a retry of a
		t.Fatal(err)
	}
	es, err := st.Events(ctx, EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, e := range es {
		got[e.OperationID] = e.ReceivedAt.Sub(base).Milliseconds()
	}
	want := map[string]int64{"a": 3000, "b": 3000, "c": 4000, "d": 4000}
	if !maps.Equal(got, want) {
		t.Errorf("stored at (ms after base) %v, want %v", got, want)
	}
	if len(heard) != 1 {
		t.Errorf("listeners heard %d events, want d alone (RecordDeliveries tells none, a retry is not new)", len(heard))
	}
	for _, e := range heard {
		if at := e.ReceivedAt.Sub(base).Milliseconds(); at != want[e.OperationID] {
			t.Errorf("listeners heard %s at %d, want the stored %d", e.OperationID, at, want[e.OperationID])
		}
	}
}
