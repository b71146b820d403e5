package store

import (
	"context"
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

// A reissue through the API is kept as a request done at once, the key its
// maker and checker, so it shows where the console's reissues show.
func TestReissueNowKeepsADoneRequest(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	before := e.card(id)
	key := Actor{Username: "apikey:backend", Level: LevelAdmin, RemoteAddr: "192.0.2.9"}
	after, err := e.st.ReissueNow(e.ctx, id, key)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.st.CardReissues(e.ctx, id)
	if err != nil || len(rs) != 1 {
		t.Fatalf("card reissues = %+v (%v), want one", rs, err)
	}
	r := rs[0]
	if r.Status != ReissueDone || r.Maker != key.Username || r.Checker != key.Username || r.MakerID != 0 ||
		r.Reason != ReasonNotGiven || r.Note != apiReissueNote || r.OldLast4 != before.Last4 || r.NewLast4 != after.Last4 || r.FourEyes {
		t.Errorf("request = %+v, want DONE by %s, no reason given: %q, last 4 %s → %s", r, key.Username, apiReissueNote, before.Last4, after.Last4)
	}
	if n := e.auditCount(id, AuditCardReissue, ResultOK); n != 1 {
		t.Errorf("card.reissue audit rows = %d, want 1", n)
	}
}

// Migration 0025 rebuilds reissue_requests with maker_id nullable and keeps
// every request: a database as the release before it left it, with a
// request, opens with the request as it was.
func TestMigration0025KeepsReissueRequests(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	req := e.request(id, "alice", false)
	for _, q := range []string{
		// The shape 0003 made: maker_id NOT NULL.
		`CREATE TABLE reissue_requests_0003 (id TEXT PRIMARY KEY, card_id TEXT NOT NULL REFERENCES cards(id),
			card_version INTEGER NOT NULL, maker_id INTEGER NOT NULL REFERENCES users(id), maker TEXT NOT NULL,
			reason TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', four_eyes INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL,
			failed_attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
			decided_at INTEGER, checker_id INTEGER REFERENCES users(id), checker TEXT NOT NULL DEFAULT '',
			decision_note TEXT NOT NULL DEFAULT '', old_last4 TEXT NOT NULL, old_exp_month INTEGER NOT NULL,
			old_exp_year INTEGER NOT NULL, new_last4 TEXT NOT NULL DEFAULT '', new_exp_month INTEGER NOT NULL DEFAULT 0,
			new_exp_year INTEGER NOT NULL DEFAULT 0)`,
		`INSERT INTO reissue_requests_0003 SELECT * FROM reissue_requests`,
		`DROP TABLE reissue_requests`,
		`ALTER TABLE reissue_requests_0003 RENAME TO reissue_requests`,
		`CREATE INDEX reissue_requests_card ON reissue_requests(card_id, created_at)`,
		`CREATE INDEX reissue_requests_status ON reissue_requests(status, created_at)`,
		`DELETE FROM schema_migrations WHERE version = 25`,
	} {
		e.exec(q)
	}
	path := e.st.path
	e.st.Close()
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.CardReissues(context.Background(), id)
	if err != nil || len(rs) != 1 || rs[0].ID != req.ID || rs[0].MakerID != e.users["alice"].ID || rs[0].Maker != "alice" ||
		rs[0].Reason != req.Reason || rs[0].OldLast4 != req.OldLast4 || !rs[0].CreatedAt.Equal(req.CreatedAt) {
		t.Fatalf("after 0025: requests %+v (%v), want %+v", rs, err, req)
	}
	var notNull int
	if err := st.r.QueryRow(`SELECT "notnull" FROM pragma_table_info('reissue_requests') WHERE name = 'maker_id'`).Scan(&notNull); err != nil || notNull != 0 {
		t.Errorf("maker_id notnull = %d (%v), want 0", notNull, err)
	}
}

// Migration 0029 corrects what the API's reissues and freezes were kept
// with before it: a reason nobody gave (OTHER, customer_request) becomes
// NOT_GIVEN / not_given; the console's own rows keep theirs.
func TestMigration0029RecordsNoReasonForTheAPI(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	if _, err := e.st.ReissueNow(e.ctx, id, Actor{Username: "apikey:backend", Level: LevelAdmin}); err != nil {
		t.Fatal(err)
	}
	console := e.request(id, "alice", false)
	for _, q := range []string{
		`UPDATE reissue_requests SET reason = 'OTHER' WHERE maker_id IS NULL`,
		`UPDATE reissue_requests SET reason = 'OTHER', note = 'one step, through the API' WHERE id = '` + console.ID + `'`,
		`INSERT INTO card_status_history(card_id, from_status, to_status, reason, note, actor, at) VALUES
			('` + id + `', 'ACTIVE', 'FROZEN', 'customer_request', 'Through the provider API (PATCH …/frozen).', 'apikey:backend', 1),
			('` + id + `', 'FROZEN', 'ACTIVE', 'customer_request', 'Through the provider API (PATCH …/frozen).', 'alice', 2)`,
		`DELETE FROM schema_migrations WHERE version = 29`,
	} {
		e.exec(q)
	}
	path := e.st.path
	e.st.Close()
	st, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.CardReissues(context.Background(), id)
	if err != nil || len(rs) != 2 {
		t.Fatalf("requests = %+v (%v), want two", rs, err)
	}
	for _, r := range rs {
		want := ReasonNotGiven
		if r.ID == console.ID {
			want = ReasonOther
		}
		if r.Reason != want {
			t.Errorf("request by %s: reason %s, want %s", r.Maker, r.Reason, want)
		}
	}
	hist, err := st.CardStatusHistory(context.Background(), id)
	if err != nil || len(hist) != 2 {
		t.Fatalf("status history = %+v (%v), want two rows", hist, err)
	}
	if h := hist[1]; h.Reason != FreezeNotGiven || h.Note != "" {
		t.Errorf("the key's freeze = %+v, want no reason given and no note", h)
	}
	if h := hist[0]; h.Reason != FreezeCustomerRequest {
		t.Errorf("alice's unfreeze = %+v, want its reason kept", h)
	}
}
