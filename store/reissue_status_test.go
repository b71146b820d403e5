package store

import (
	"strings"
	"testing"
)

// TestReissueRenewsExpiredCard: a reissue gives an EXPIRED card a new number
// and expiry, so the card becomes ACTIVE, with a status-history row and the
// change in the reissue's audit row, in both the console's two steps and the
// API's one step; a FROZEN or BLOCKED card keeps its status and gets no
// history row.
func TestReissueRenewsExpiredCard(t *testing.T) {
	e := newReissueEnv(t)
	steps := func(id string) ReissueCard {
		t.Helper()
		req := e.request(id, "alice", false)
		if _, err := e.confirm(req.ID, "alice", req.Card.Last4, reissueTestPassword); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		return e.card(id)
	}
	api := func(id string) ReissueCard {
		t.Helper()
		c, err := e.st.ReissueNow(e.ctx, id, Actor{Username: "apikey:backend", Level: LevelAdmin, RemoteAddr: "192.0.2.9"})
		if err != nil {
			t.Fatalf("ReissueNow: %v", err)
		}
		return c
	}
	for _, tc := range []struct {
		name    string
		status  string
		reissue func(string) ReissueCard
		want    string
	}{
		{"two steps, expired", "EXPIRED", steps, "ACTIVE"},
		{"api, expired", "EXPIRED", api, "ACTIVE"},
		{"two steps, frozen", "FROZEN", steps, "FROZEN"},
		{"api, blocked", "BLOCKED", api, "BLOCKED"},
		{"two steps, active", "ACTIVE", steps, "ACTIVE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, pan := e.addCard(tc.status)
			c := tc.reissue(id)
			if c.Status != tc.want || c.Last4 == pan[12:] || c.ExpYear != 2029 {
				t.Errorf("card after = %s •••• %s %02d/%d, want %s with a new number expiring 2029", c.Status, c.Last4, c.ExpMonth, c.ExpYear, tc.want)
			}
			hist, err := e.st.CardStatusHistory(e.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			audit, err := e.st.CardAudit(e.ctx, id, 10)
			if err != nil || len(audit) == 0 || audit[0].Action != AuditCardReissue || audit[0].Result != ResultOK {
				t.Fatalf("audit = %+v, %v; want card.reissue ok last", audit, err)
			}
			renewed := strings.Contains(audit[0].Detail, "status EXPIRED → ACTIVE")
			if tc.status != tc.want {
				if len(hist) != 1 || hist[0].From != tc.status || hist[0].To != tc.want || hist[0].Reason != StatusReasonReissue ||
					!strings.Contains(hist[0].Note, c.Last4) {
					t.Errorf("status history = %+v, want one %s → %s row for the reissue naming •••• %s", hist, tc.status, tc.want, c.Last4)
				}
				if !renewed {
					t.Errorf("audit detail = %q, want the status change in it", audit[0].Detail)
				}
			} else if len(hist) != 0 || renewed {
				t.Errorf("status history = %+v, audit %q; want no status change", hist, audit[0].Detail)
			}
		})
	}
}
