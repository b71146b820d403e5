package store

import (
	"errors"
	"testing"
)

// TestReissueNow: the API's one-step reissue uses the same core as step 2:
// a new Luhn-valid number on the BIN with a new last 4 and expiry, the old
// number inactive, nothing else about the card touched, audited with the
// key as the actor; a DELETED card is refused (audited), an unknown one is
// ErrNotFound.
func TestReissueNow(t *testing.T) {
	e := newReissueEnv(t)
	id, pan := e.addCard("FROZEN")
	before := e.cardSnapshot(id)
	actor := Actor{Username: "apikey:backend", Level: LevelAdmin, RemoteAddr: "192.0.2.9"}
	c, err := e.st.ReissueNow(e.ctx, id, actor)
	if err != nil {
		t.Fatalf("ReissueNow: %v", err)
	}
	if c.Last4 == pan[12:] || c.Status != "FROZEN" || c.ExpYear != 2029 || c.ExpMonth != 11 {
		t.Errorf("card after = %+v, want a new last 4, FROZEN kept, expiry 11/2029", c)
	}
	if after := e.cardSnapshot(id); after != before {
		t.Errorf("reissue changed what it must keep:\nbefore %s\nafter  %s", before, after)
	}
	if len(e.pans) != 1 || !LuhnValid(e.pans[0]) || e.pans[0][:6] != "424242" || e.pans[0][12:] != c.Last4 {
		t.Errorf("drawn numbers %d, want one Luhn-valid number on the BIN ending in %s", len(e.pans), c.Last4)
	}
	nums, err := e.st.CardNumbers(e.ctx, id)
	if err != nil || len(nums) != 3 || !nums[0].Current() || nums[1].Current() || nums[0].Last4 != c.Last4 {
		t.Errorf("numbers = %+v, %v; want the new one current and the others inactive", nums, err)
	}
	audit, err := e.st.AuditLog(e.ctx, AuditFilter{Actor: "apikey:backend"})
	if err != nil || len(audit) != 1 || audit[0].Action != "card.reissue" || audit[0].Result != ResultOK || audit[0].TargetID != id {
		t.Errorf("audit = %+v, %v; want one card.reissue by the key", audit, err)
	}

	deleted, _ := e.addCard("DELETED")
	if _, err := e.st.ReissueNow(e.ctx, deleted, actor); !errors.Is(err, ErrCardDeleted) {
		t.Errorf("deleted card: err = %v, want ErrCardDeleted", err)
	}
	audit, _ = e.st.AuditLog(e.ctx, AuditFilter{Actor: "apikey:backend"})
	if len(audit) != 2 || audit[0].Result != ResultRefused || audit[0].TargetID != deleted {
		t.Errorf("audit = %+v; want the refusal recorded", audit)
	}
	if _, err := e.st.ReissueNow(e.ctx, "no-such-card", actor); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown card: err = %v, want ErrNotFound", err)
	}
}
