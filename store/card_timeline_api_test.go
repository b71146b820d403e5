package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// recordAPICall writes one call of the provider API to the request log,
// stamped at.
func recordAPICall(t *testing.T, st *Store, cardID, method, path string, status int, at int64) string {
	t.Helper()
	r := &APIRequest{At: at, KeyName: "backend", Method: method, Path: path, Status: status, DurationUs: 1500,
		TraceID: fmt.Sprintf("%032x", at), CardID: cardID}
	if err := st.RecordAPIRequest(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return TimelineKey(TimelineAPI, strconv.FormatInt(r.ID, 10))
}

// TestCardTimelineAPICalls: the calls of the request log that name the card
// are lines of its timeline, newest first by time (not by id: a call may be
// numbered after a newer one), beside the other kinds at the same
// millisecond; paging by the cursor across kinds gives the whole timeline
// once; ?at= finds a call; a filter Without them never shows them.
func TestCardTimelineAPICalls(t *testing.T) {
	ctx := context.Background()
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	other := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	base := time.UnixMilli(1_790_000_000_000)
	at := base
	st.SetClock(func() time.Time { return at })

	path := "/api/cards/virtual-cards/" + f.cardID
	var calls []string
	for i := range 6 {
		at = base.Add(time.Duration(i) * 10 * time.Second)
		calls = append(calls, recordAPICall(t, st, f.cardID, "GET", path, 200, at.UnixMilli()))
		if i == 2 || i == 3 {
			// A freeze and its audit row at the same millisecond as a
			// call: "api" sorts before "audit" and "status".
			c, err := st.CardByID(ctx, f.cardID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SetCardFrozen(ctx, CardFreeze{CardID: f.cardID, Freeze: i == 2, SeenVersion: c.Version,
				Reason: map[bool]FreezeReason{true: FreezeSuspectedFraud, false: FreezeCustomerRequest}[i == 2], Actor: Actor{Username: "ada", Level: LevelAdmin}}); err != nil {
				t.Fatal(err)
			}
		}
		if i%2 == 1 {
			simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1", Merchant: SimMerchant{Name: "Kiosk", Country: "ES", MCC: "5814"}})
		}
	}
	// A call stamped before the newest, numbered after it; one at the same
	// millisecond as another (the id breaks the tie); one about another
	// card and one about none.
	late := recordAPICall(t, st, f.cardID, "PATCH", path+"/frozen", 409, base.Add(15*time.Second).UnixMilli())
	tie := recordAPICall(t, st, f.cardID, "GET", path, 404, base.Add(40*time.Second).UnixMilli())
	recordAPICall(t, st, other.cardID, "GET", "/api/cards/virtual-cards/"+other.cardID, 200, at.UnixMilli())
	recordAPICall(t, st, "", "GET", "/api/cards/virtual-cards/list", 200, at.UnixMilli())

	apiOnly := TimelineFilter{Kinds: []TimelineKind{TimelineAPI}}
	es, next, err := st.CardTimeline(ctx, f.cardID, apiOnly, TimelineCursor{}, 50)
	if err != nil || !next.IsZero() {
		t.Fatalf("API calls: next %+v, %v", next, err)
	}
	want := []string{calls[5], tie, calls[4], calls[3], calls[2], late, calls[1], calls[0]}
	if got := keysOf(es); !slices.Equal(got, want) {
		t.Fatalf("API calls = %v, want %v", got, want)
	}
	if c := es[len(es)-3].API; c == nil || c.Method != "PATCH" || c.Path != path+"/frozen" || c.Status != 409 ||
		c.KeyName != "backend" || c.DurationUs != 1500 {
		t.Errorf("the late call = %+v, want PATCH %s/frozen 409 by backend in 1500 µs", c, path)
	}

	for _, filter := range []TimelineFilter{{}, apiOnly, {Kinds: []TimelineKind{TimelineAPI, TimelineAudit, TimelineStatus}}} {
		all, next, err := st.CardTimeline(ctx, f.cardID, filter, TimelineCursor{}, MaxTimelinePage)
		if err != nil || !next.IsZero() {
			t.Fatalf("%v: whole timeline: next %+v, %v", filter.Kinds, next, err)
		}
		for i := 1; i < len(all); i++ {
			if !timelineBefore(all[i-1].Cursor(), all[i].Cursor()) {
				t.Fatalf("%v: entry %d (%s at %d) is not after %s at %d", filter.Kinds, i, all[i].Key(), all[i].At, all[i-1].Key(), all[i-1].At)
			}
		}
		if n := len(slices.DeleteFunc(keysOf(all), func(k string) bool { return !strings.HasPrefix(k, "api-") })); n != 8 {
			t.Errorf("%v: %d API calls on the timeline, want 8: %v", filter.Kinds, n, keysOf(all))
		}
		for _, size := range []int{1, 2, 3} {
			var paged []TimelineEntry
			var cur TimelineCursor
			for {
				es, next, err := st.CardTimeline(ctx, f.cardID, filter, cur, size)
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, es...)
				if next.IsZero() {
					break
				}
				if cur, _ = ParseTimelineCursor(next.Param()); cur != next {
					t.Fatalf("cursor %q does not survive its URL", next.Param())
				}
			}
			if !slices.Equal(keysOf(paged), keysOf(all)) {
				t.Fatalf("%v: pages of %d: %v\nwant %v", filter.Kinds, size, keysOf(paged), keysOf(all))
			}
		}
	}

	_, id, _ := ParseTimelineKey(late)
	c, err := st.CardTimelineLocate(ctx, f.cardID, TimelineFilter{}, TimelineAPI, id)
	if err != nil {
		t.Fatal(err)
	}
	if es, _, err := st.CardTimeline(ctx, f.cardID, TimelineFilter{}, c, 5); err != nil || len(es) == 0 || es[0].Key() != late {
		t.Errorf("the page at %s starts %v (%v), want %s", late, keysOf(es), err, late)
	}
	if _, err := st.CardTimelineLocate(ctx, other.cardID, TimelineFilter{}, TimelineAPI, id); err == nil {
		t.Errorf("another card's call located, want ErrNotFound")
	}

	for _, filter := range []TimelineFilter{{Without: []TimelineKind{TimelineAPI}},
		{Kinds: []TimelineKind{TimelineAPI, TimelineStatus}, Without: []TimelineKind{TimelineAPI}}} {
		es, _, err := st.CardTimeline(ctx, f.cardID, filter, TimelineCursor{}, MaxTimelinePage)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 || slices.ContainsFunc(es, func(e TimelineEntry) bool { return e.Kind == TimelineAPI }) {
			t.Errorf("%+v shows %v, want entries and no API call", filter, keysOf(es))
		}
	}
}

// TestCardTimelineQueryPlans: every kind's query, from the newest end and
// after a cursor of its own kind or of a kind sorting before or after it,
// searches an index that starts with the card, and never scans a table or
// sorts. Reissues are the one exception, known: reissue_requests_card is
// (card_id, created_at) and their id a text key outside it, so requests
// made in the same millisecond are sorted by id (a handful of rows, never
// the card's whole history).
func TestCardTimelineQueryPlans(t *testing.T) {
	ctx := context.Background()
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	const at = int64(1_790_000_000_000)
	indexOf := map[TimelineKind]string{TimelineAPI: "api_requests_card_time (card_id=?"}
	for _, fold := range []bool{true, false} {
		for _, src := range timelineSources(fold) {
			for _, after := range []TimelineCursor{{},
				{At: at, Kind: src.kind, ID: "7"},
				{At: at, Kind: "aaa", ID: "7"},
				{At: at, Kind: "zzz", ID: "7"},
			} {
				if src.kind == TimelineMovement || src.kind == TimelineReissue {
					after.ID = "m-7"
				}
				q, args := timelineQuery(src, f.cardID, after, 10)
				plan, err := queryPlan(ctx, st, q, args)
				if err != nil {
					t.Fatalf("%s: %v\n%s", src.kind, err, q)
				}
				text := strings.Join(plan, "\n")
				for _, line := range plan {
					sortsTies := src.kind == TimelineReissue && line == "USE TEMP B-TREE FOR LAST TERM OF ORDER BY"
					if strings.HasPrefix(line, "SCAN ") || strings.Contains(line, "TEMP B-TREE") && !sortsTies {
						t.Errorf("%s (fold %v) after %+v: plan has %q:\n%s", src.kind, fold, after, line, text)
					}
				}
				if ix := indexOf[src.kind]; ix != "" && !strings.Contains(text, "USING INDEX "+ix) {
					t.Errorf("%s after %+v: plan is\n%s\nwant %s", src.kind, after, text, ix)
				}
			}
		}
	}
}
