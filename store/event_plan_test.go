package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEventsQueryPlans checks, for every event-log filter and every
// combination of them, on the first page and on later pages, that SQLite
// reads an index in id order: no scan of the event table (or of a whole
// index of it) and no temporary B-tree to sort.
func TestEventsQueryPlans(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	at := time.UnixMilli(1_800_000_000_000)
	kinds := []struct {
		name string
		set  func(*EventFilter)
	}{
		{"operation", func(f *EventFilter) { f.Operation = "CARDS" }},
		{"sub_operation", func(f *EventFilter) { f.SubOperation = "AUTHORIZATION" }},
		{"status", func(f *EventFilter) { f.Status = "FAILED" }},
		{"card", func(f *EventFilter) { f.Card = "c1" }},
		{"card ids", func(f *EventFilter) { f.CardIDs = []string{"c2", "c3", "c4"} }},
		{"text", func(f *EventFilter) { f.Q = "Coffee" }},
		{"from", func(f *EventFilter) { f.From = at }},
		{"to", func(f *EventFilter) { f.To = at.Add(time.Hour) }},
	}
	pages := []struct {
		name string
		set  func(*EventFilter)
	}{
		{"first page", func(f *EventFilter) {}},
		{"before", func(f *EventFilter) { f.BeforeID = 1000 }},
		{"after", func(f *EventFilter) { f.AfterID = 1000 }},
		{"ascending", func(f *EventFilter) { f.Ascending = true }},
	}
	for mask := 1; mask < 1<<len(kinds); mask++ {
		var f EventFilter
		var names []string
		for i, k := range kinds {
			if mask&(1<<i) != 0 {
				k.set(&f)
				names = append(names, k.name)
			}
		}
		for _, p := range pages {
			g := f
			p.set(&g)
			name := strings.Join(names, "+") + "/" + p.name
			q, args, err := eventsQuery(g)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			plan, err := queryPlan(ctx, st, q, args)
			if err != nil {
				t.Fatalf("%s: %v\n%s", name, err, q)
			}
			for _, line := range plan {
				if badPlanLine(line) {
					t.Errorf("%s: plan has %q:\n%s", name, line, strings.Join(plan, "\n"))
					break
				}
			}
			// Text without a card: the events above the text index's
			// mark are read as a range of ids.
			if g.Q != "" && g.Card == "" && len(g.CardIDs) == 0 &&
				!slices.ContainsFunc(plan, func(l string) bool {
					return strings.HasPrefix(l, "SEARCH webhook_events USING INTEGER PRIMARY KEY (rowid>?")
				}) {
				t.Errorf("%s: no id range for the events above the text index's mark:\n%s", name, strings.Join(plan, "\n"))
			}
		}
	}
}

// badPlanLine reports whether a line of EXPLAIN QUERY PLAN reads all of the
// event table (or all of one of its indexes) or sorts.
func badPlanLine(line string) bool {
	return strings.Contains(line, "TEMP B-TREE") ||
		line == "SCAN webhook_events" || strings.HasPrefix(line, "SCAN webhook_events ")
}

func TestBadPlanLine(t *testing.T) {
	for line, want := range map[string]bool{
		"SCAN webhook_events": true,
		"SCAN webhook_events USING INDEX webhook_events_operation":                       true,
		"USE TEMP B-TREE FOR ORDER BY":                                                   true,
		"SCAN webhook_events_fts VIRTUAL TABLE INDEX 0:M2":                               false,
		"SEARCH webhook_events USING INDEX webhook_events_status (status=? AND rowid<?)": false,
	} {
		if got := badPlanLine(line); got != want {
			t.Errorf("badPlanLine(%q) = %v, want %v", line, got, want)
		}
	}
}

func queryPlan(ctx context.Context, st *Store, q string, args []any) ([]string, error) {
	rows, err := st.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return nil, err
		}
		out = append(out, detail)
	}
	return out, rows.Err()
}

// TestEventsAgreeWithMatch pages through random filters over random events
// and compares every page with Match applied to every stored event.
func TestEventsAgreeWithMatch(t *testing.T) {
	ctx := context.Background()
	st := openTestStore(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[rnd.IntN(len(xs))] }
	base := time.UnixMilli(1_800_000_000_000)
	words := []string{"Coffee", "book", "café", "Zürich", "fuel", "100%", "e_s"}
	var ds []Delivery
	for i := range 400 {
		ds = append(ds, Delivery{
			// Stamped in order of arrival, give or take a few seconds.
			ReceivedAt: base.Add(time.Duration(i)*time.Minute/4 + time.Duration(rnd.IntN(5000))*time.Millisecond),
			Headers:    map[string][]string{}, Verification: "provider-key: ok",
			Operation: pick("CARDS", "cards", "TREASURY"), SubOperation: pick("AUTHORIZATION", "CLEARING", ""),
			OperationID: fmt.Sprintf("r%d", i), Status: pick("SUCCESS", "FAILED", "PENDING"),
			CardID: pick("c1", "c2", "c3", "", ""), WalletID: pick("w1", "", "", "c1"),
			Body: []byte(fmt.Sprintf(`{"m":"%s %s","n":%d}`, pick(words...), pick(words...), i)),
		})
	}
	// Half of them in the text index, half above its mark.
	if _, err := st.RecordDeliveries(ctx, ds[:200]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.IndexEventText(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordDeliveries(ctx, ds[200:]); err != nil {
		t.Fatal(err)
	}
	all, err := st.Events(ctx, EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	full := make([]Event, len(all))
	for i, e := range all {
		if full[i], err = st.Event(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	for n := range 300 {
		var f EventFilter
		if rnd.IntN(3) == 0 {
			f.Operation = pick("CARDS", "treasury", "NONE")
		}
		if rnd.IntN(3) == 0 {
			f.SubOperation = pick("AUTHORIZATION", "clearing")
		}
		if rnd.IntN(3) == 0 {
			f.Status = pick("SUCCESS", "failed")
		}
		if rnd.IntN(3) == 0 {
			f.Card = pick("c1", "w1", "c9")
		}
		if rnd.IntN(4) == 0 {
			f.CardIDs = []string{pick("c2", "c3"), pick("c1", "w1")}
		}
		if rnd.IntN(3) == 0 {
			f.Q = pick("coffee", "CAFÉ", "zür", "100%", "e_s", "nothing here", `"n":1`)
		}
		if rnd.IntN(3) == 0 {
			f.From = base.Add(time.Duration(rnd.IntN(100)) * time.Minute / 2)
		}
		if rnd.IntN(3) == 0 {
			f.To = base.Add(time.Duration(rnd.IntN(100)) * time.Minute / 2)
		}
		var want []int64
		for _, e := range full {
			if f.Match(e) {
				want = append(want, e.ID)
			}
		}
		var got []int64
		g := f
		g.Limit = 7
		for {
			page, err := st.Events(ctx, g)
			if err != nil {
				t.Fatalf("%d %+v: %v", n, g, err)
			}
			for _, e := range page {
				got = append(got, e.ID)
			}
			if len(page) < g.Limit {
				break
			}
			g.BeforeID = page[len(page)-1].ID
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d %+v:\n got %v\nwant %v", n, f, got, want)
		}
		// Catching up, oldest first, gives the same rows.
		asc, err := st.Events(ctx, EventFilter{Operation: f.Operation, SubOperation: f.SubOperation, Status: f.Status,
			Card: f.Card, CardIDs: f.CardIDs, Q: f.Q, From: f.From, To: f.To, Ascending: true, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(asc) != len(want) || (len(asc) > 0 && asc[0].ID != want[len(want)-1]) {
			t.Errorf("%d %+v ascending: %d rows, want %d", n, f, len(asc), len(want))
		}
	}
}

func TestEventsShortText(t *testing.T) {
	st := openTestStore(t)
	if _, err := st.Events(context.Background(), EventFilter{Q: "ab"}); !errors.Is(err, ErrTextTooShort) {
		t.Errorf("err = %v, want ErrTextTooShort", err)
	}
}
