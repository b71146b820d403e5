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

// A card's notifications are read on webhook_events_card (card_id, id) in
// id order, which is their time order because the receiver never stamps an
// event before the one numbered before it: a delivery stamped earlier (a
// clock set back) takes the newest event's time. Paging through a timeline
// of notifications, movements and simulations, a page at a time, gives the
// whole timeline once, in (time, kind, id) order, and no query sorts.
func TestCardTimelineNotificationsInIDOrder(t *testing.T) {
	ctx := context.Background()
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	base := time.UnixMilli(1_790_000_000_000)
	at := base
	st.SetClock(func() time.Time { return at })
	record := func(op string, when time.Time) Event {
		t.Helper()
		rec, err := st.RecordDelivery(ctx, Delivery{ReceivedAt: when, RemoteAddr: "127.0.0.1", Headers: map[string][]string{},
			Verification: "provider-key: ok", Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: op,
			Status: "SUCCESS", StatusRaw: "SUCCESS", CardID: f.cardID, Body: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := st.Event(ctx, rec.EventID)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	// Notifications every 20 s across three minutes, with movements made
	// by Simulate in between and some at the same millisecond.
	for i := range 12 {
		at = base.Add(time.Duration(i) * 20 * time.Second)
		record(fmt.Sprintf("op-%02d", i), at)
		if i%3 == 1 {
			simOK(t, st, SimRequest{Action: ActAuthorize, CardID: f.cardID, Amount: "1", Merchant: SimMerchant{Name: "Kiosk", Country: "ES", MCC: "5814"}})
		}
		if i == 5 || i == 6 {
			// A status change (a kind that sorts before a notification
			// at the same time) at the same millisecond.
			c, err := st.CardByID(ctx, f.cardID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SetCardFrozen(ctx, CardFreeze{CardID: f.cardID, Freeze: i == 5, SeenVersion: c.Version,
				Reason: FreezeCustomerRequest, Actor: Actor{Username: "ada", Level: LevelAdmin}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	newest := at
	// A clock set back a minute: stamped with the newest event's time.
	late := record("op-late", newest.Add(-time.Minute))
	if !late.ReceivedAt.Equal(newest) {
		t.Fatalf("a delivery stamped a minute back was stored at %s, want the newest event's time %s", late.ReceivedAt, newest)
	}

	for _, kinds := range [][]TimelineKind{nil, {TimelineNotification}, {TimelineNotification, TimelineMovement}} {
		t.Run(fmt.Sprint(kinds), func(t *testing.T) {
			filter := TimelineFilter{Kinds: kinds}
			all, next, err := st.CardTimeline(ctx, f.cardID, filter, TimelineCursor{}, MaxTimelinePage)
			if err != nil || !next.IsZero() {
				t.Fatalf("whole timeline: next %+v, %v", next, err)
			}
			notes := 0
			for i, e := range all {
				if i > 0 && !timelineBefore(all[i-1].Cursor(), e.Cursor()) {
					t.Fatalf("entry %d (%s at %d) is not after %s at %d", i, e.Key(), e.At, all[i-1].Key(), all[i-1].At)
				}
				if e.Kind == TimelineNotification {
					notes++
				}
			}
			if notes != 13 {
				t.Fatalf("the timeline shows %d notifications, want 13: %v", notes, keysOf(all))
			}
			for _, size := range []int{1, 2, 5} {
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
					cur = next
				}
				if !slices.Equal(keysOf(paged), keysOf(all)) {
					t.Fatalf("pages of %d: %v\nwant %v", size, keysOf(paged), keysOf(all))
				}
			}
		})
	}

	// The plans: the card's (card_id, id) index, read backwards from the
	// cursor, no sort; after another kind's entry, from the last id of
	// the newest minute up to its time.
	src := timelineSources(true)[slices.IndexFunc(timelineSources(true), func(s timelineSource) bool { return s.kind == TimelineNotification })]
	for _, after := range []TimelineCursor{
		{},
		{At: late.ReceivedAt.UnixMilli(), Kind: TimelineNotification, ID: strconv.FormatInt(late.ID, 10)},
		{At: base.Add(time.Minute).UnixMilli(), Kind: TimelineMovement, ID: "m"},
		{At: base.Add(time.Minute).UnixMilli(), Kind: TimelineStatus, ID: "1"},
	} {
		q, args := timelineQuery(src, f.cardID, after, 10)
		plan, err := queryPlan(ctx, st, q, args)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, "USING INDEX webhook_events_card (card_id=?") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("after %+v the plan is\n%s\nwant webhook_events_card and no sort", after, text)
		}
		if after.Kind != "" && after.Kind != TimelineNotification && !strings.Contains(text, "SEARCH webhook_event_minutes USING INTEGER PRIMARY KEY") {
			t.Errorf("after %+v the plan is\n%s\nwant the minute's last id found by its key", after, text)
		}
	}
}

func keysOf(es []TimelineEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Key())
	}
	return out
}
