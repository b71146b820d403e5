package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

const tlBase = int64(1_790_000_000_000)

// timelineFixture is a card with a cleared and refunded authorization, a
// declined one, notifications about both and one about nothing on the card.
func timelineFixture(t *testing.T) (*store.Store, string) {
	t.Helper()
	st := openStore(t)
	id := storetest.AddCard(t, st, storetest.Card{Holder: "Tia Line", Last4: "4321", Movements: []storetest.Movement{
		{ID: "auth-a", At: tlBase + 1000, Amount: 1250, Merchant: "Corner Coffee", SourceOperationID: "op-a", NewBalance: 8750},
		{ID: "clear-a", At: tlBase + 5000, Operation: "CLEARING", ParentID: "auth-a", Amount: 1250, SourceOperationID: "op-c", NewBalance: 8750},
		{ID: "refund-a", At: tlBase + 9000, Operation: "REFUND", ParentID: "auth-a", Amount: 250, NewBalance: 9000},
		{ID: "auth-b", At: tlBase + 7000, Status: "FAILED", Amount: 99900, DeclineCode: "51", DeclineText: "Insufficient funds"},
	}})
	for i, op := range []string{"op-a", "op-c", "op-x"} {
		recordTimelineEvent(t, st, id, op, tlBase+int64(2000+i*1000))
	}
	return st, id
}

func recordTimelineEvent(t *testing.T, st *store.Store, cardID, op string, at int64) int64 {
	t.Helper()
	rec, err := st.RecordDelivery(context.Background(), store.Delivery{ReceivedAt: time.UnixMilli(at), RemoteAddr: "127.0.0.1",
		Headers: map[string][]string{"Content-Type": {"application/json"}}, Verification: "provider-key: ok",
		Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: op, Status: "SUCCESS", StatusRaw: "SUCCESS", CardID: cardID,
		Body: []byte(fmt.Sprintf(`{"operation":"CARDS","operation_id":%q,"data":{"card_id":%q}}`, op, cardID))})
	if err != nil {
		t.Fatalf("record delivery %s: %v", op, err)
	}
	return rec.EventID
}

func timelineKeys(es []store.TimelineEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Key())
	}
	return out
}

func TestCardTimelineGroupsWhatFollowedAnAuthorization(t *testing.T) {
	st, id := timelineFixture(t)
	es, next, err := st.CardTimeline(context.Background(), id, store.TimelineFilter{}, store.TimelineCursor{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	if !next.IsZero() {
		t.Errorf("next = %+v, want none", next)
	}
	// The clearing, refund and the notifications about the authorization
	// and its clearing are inside its line; op-x stands alone.
	if len(es) != 3 || es[0].Key() != "movement-auth-b" || es[1].Key() != "notification-3" || es[2].Key() != "movement-auth-a" {
		t.Fatalf("lines = %v, want [movement-auth-b notification-3 movement-auth-a]", timelineKeys(es))
	}
	a := es[2]
	var followers []string
	for _, m := range a.Followers {
		followers = append(followers, m.ID)
	}
	if !slices.Equal(followers, []string{"clear-a", "refund-a"}) {
		t.Errorf("followers = %v, want [clear-a refund-a]", followers)
	}
	var ops []string
	for _, e := range a.Notifications {
		ops = append(ops, e.OperationID)
	}
	if !slices.Equal(ops, []string{"op-a", "op-c"}) {
		t.Errorf("notifications = %v, want [op-a op-c]", ops)
	}
	if b := es[0].Movement; b.DeclineDescription != "Insufficient funds" || len(es[0].Followers) != 0 {
		t.Errorf("declined authorization = %+v, followers %d", b, len(es[0].Followers))
	}
}

func TestCardTimelineFilterByKind(t *testing.T) {
	st, id := timelineFixture(t)
	ctx := context.Background()
	if _, err := st.SetCardFrozen(ctx, store.CardFreeze{CardID: id, Freeze: true, SeenVersion: 1, Reason: store.FreezeSuspectedFraud,
		Actor: store.Actor{Username: "ada", Level: store.LevelAdmin}}); err != nil {
		t.Fatalf("freeze: %v", err)
	}
	for _, tc := range []struct {
		kinds []store.TimelineKind
		want  []string
	}{
		// Without movements, the notifications about them are lines too.
		{[]store.TimelineKind{store.TimelineNotification}, []string{"notification-3", "notification-2", "notification-1"}},
		{[]store.TimelineKind{store.TimelineMovement}, []string{"movement-auth-b", "movement-auth-a"}},
		{[]store.TimelineKind{store.TimelineStatus}, []string{"status-1"}},
	} {
		es, _, err := st.CardTimeline(ctx, id, store.TimelineFilter{Kinds: tc.kinds}, store.TimelineCursor{}, 50)
		if err != nil {
			t.Fatal(err)
		}
		if got := timelineKeys(es); !slices.Equal(got, tc.want) {
			t.Errorf("kinds %v: got %v, want %v", tc.kinds, got, tc.want)
		}
	}
	// Every kind: the freeze (now) and its audit row come first.
	es, _, err := st.CardTimeline(ctx, id, store.TimelineFilter{}, store.TimelineCursor{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := timelineKeys(es); len(got) != 2 || got[0] != "status-1" && got[1] != "status-1" {
		t.Errorf("newest = %v, want the freeze and its audit row", got)
	}
}

func TestCardTimelinePagesStayWhileEntriesArrive(t *testing.T) {
	st := openStore(t)
	var ms []storetest.Movement
	for i := range 30 {
		// Pairs at the same millisecond: the id breaks the tie.
		ms = append(ms, storetest.Movement{ID: fmt.Sprintf("m%02d", i), At: tlBase + int64(i/2)*1000, Amount: int64(i)})
	}
	id := storetest.AddCard(t, st, storetest.Card{Holder: "Page Turner", Movements: ms})
	ctx := context.Background()
	var seen []string
	var pages [][]string
	cur := store.TimelineCursor{}
	for {
		es, next, err := st.CardTimeline(ctx, id, store.TimelineFilter{}, cur, 7)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, timelineKeys(es))
		seen = append(seen, timelineKeys(es)...)
		if next.IsZero() {
			break
		}
		if len(pages) == 1 {
			// New entries arrive after the first page was read.
			recordTimelineEvent(t, st, id, "op-new", tlBase+100_000)
			storetest.AddCard(t, st, storetest.Card{Holder: "Other"})
		}
		// The cursor survives the URL.
		c, ok := store.ParseTimelineCursor(next.Param())
		if !ok || c != next {
			t.Fatalf("cursor %q parsed to %+v, %v", next.Param(), c, ok)
		}
		cur = c
	}
	if len(seen) != 30 || seen[0] != "movement-m29" || seen[29] != "movement-m00" {
		t.Fatalf("pages = %v, want all 30 movements newest first, once", pages)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] >= seen[i-1] {
			t.Fatalf("order broken at %d: %v", i, seen)
		}
	}
}

func TestCardTimelineLocate(t *testing.T) {
	st, id := timelineFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		kind store.TimelineKind
		id   string
		want string
	}{
		{store.TimelineMovement, "clear-a", "movement-auth-a"},
		{store.TimelineMovement, "auth-b", "movement-auth-b"},
		{store.TimelineNotification, "2", "movement-auth-a"}, // op-c, about the clearing
		{store.TimelineNotification, "3", "notification-3"},
	} {
		c, err := st.CardTimelineLocate(ctx, id, store.TimelineFilter{}, tc.kind, tc.id)
		if err != nil {
			t.Fatalf("locate %s-%s: %v", tc.kind, tc.id, err)
		}
		es, _, err := st.CardTimeline(ctx, id, store.TimelineFilter{}, c, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 0 || es[0].Key() != tc.want {
			t.Errorf("page at %s-%s starts %v, want %s", tc.kind, tc.id, timelineKeys(es), tc.want)
		}
	}
	other := storetest.AddCard(t, st, storetest.Card{Holder: "Someone Else"})
	if _, err := st.CardTimelineLocate(ctx, other, store.TimelineFilter{}, store.TimelineMovement, "auth-a"); err == nil {
		t.Errorf("another card's movement located, want ErrNotFound")
	}
}
