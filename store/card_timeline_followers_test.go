package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The followers of a timeline page's authorizations are read on the card's
// own index while the span since the oldest of them is short (the rows the
// card page has just read), in order, and by parent past followerSpan; both
// find the same followers.
func TestCardTimelineFollowersRead(t *testing.T) {
	ctx := context.Background()
	st := openSimStore(t)
	f := addSimCard(t, st, "ACTIVE", 1000_00, nil)
	at := time.UnixMilli(1_790_000_000_000)
	st.SetClock(func() time.Time { return at })
	step := func(act, amount string) SimResult {
		at = at.Add(time.Minute)
		return simOK(t, st, SimRequest{Action: act, CardID: f.cardID, Amount: amount, Merchant: SimMerchant{Name: "Kiosk", Country: "ES", MCC: "5814"}})
	}
	// Oldest first: a cleared and refunded authorization, a reversed one,
	// an open one.
	cleared := step(ActAuthorize, "10")
	clearing := step(ActClearing, "10")
	refund := step(ActRefund, "4")
	reversed := step(ActAuthorize, "7")
	reversal := step(ActReversal, "7")
	open := step(ActAuthorize, "3")
	want := map[string][]string{
		cleared.MovementID:  {clearing.MovementID, refund.MovementID},
		reversed.MovementID: {reversal.MovementID},
		open.MovementID:     nil,
	}

	for _, tc := range []struct {
		name  string
		span  int
		index string
		sorts bool
	}{
		{"the card's index", 500, "card_transactions_card", false},
		{"by parent", 4, "card_transactions_parent", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(n int) { followerSpan = n }(followerSpan)
			followerSpan = tc.span
			es, _, err := st.CardTimeline(ctx, f.cardID, TimelineFilter{Kinds: []TimelineKind{TimelineMovement}}, TimelineCursor{}, 50)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, e := range es {
				var ids []string
				for _, m := range e.Followers {
					ids = append(ids, m.ID)
				}
				got[e.ID] = ids
			}
			if len(got) != len(want) {
				t.Errorf("timeline lines = %v, want the three authorizations", got)
			}
			for id, w := range want {
				if strings.Join(got[id], ",") != strings.Join(w, ",") {
					t.Errorf("followers of %s = %v, want %v", id, got[id], w)
				}
			}

			ids := []any{cleared.MovementID, reversed.MovementID, open.MovementID}
			var oldest int64
			if err := st.r.QueryRow(`SELECT datetime FROM card_transactions WHERE id = ?`, cleared.MovementID).Scan(&oldest); err != nil {
				t.Fatal(err)
			}
			from, args, err := st.followersFrom(ctx, f.cardID, oldest, ids)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := queryPlan(ctx, st, `SELECT `+movementCols+from+` ORDER BY datetime, id`, args)
			if err != nil {
				t.Fatal(err)
			}
			p := strings.Join(plan, "; ")
			if !strings.Contains(p, "INDEX "+tc.index+" ") || strings.Contains(p, "TEMP B-TREE") != tc.sorts {
				t.Errorf("plan = %s, want a search of %s (sorting: %v)", p, tc.index, tc.sorts)
			}
		})
	}
}
