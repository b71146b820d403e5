package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const reissueTestPassword = "reissue test password"

// reissueEnv is a store with three admins and one operator, on a fixed clock.
type reissueEnv struct {
	t     testing.TB
	st    *Store
	ctx   context.Context
	now   time.Time
	users map[string]User
	// pans records every number drawn by a reissue (Options.NewPAN).
	pans []string
	mu   sync.Mutex
}

func newReissueEnv(t testing.TB) *reissueEnv {
	t.Helper()
	ctx := context.Background()
	e := &reissueEnv{t: t, ctx: ctx, now: time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC), users: map[string]User{}}
	st, err := OpenWith(ctx, filepath.Join(t.TempDir(), "reissue.db"), Options{BcryptCost: bcrypt.MinCost,
		NewPAN: func(bin string) (string, error) {
			pan, err := RandomPAN(bin)
			e.mu.Lock()
			e.pans = append(e.pans, pan)
			e.mu.Unlock()
			return pan, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	st.SetClock(func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return e.now
	})
	for _, nu := range []NewUser{
		{"alice", LevelAdmin, reissueTestPassword},
		{"bob", LevelAdmin, reissueTestPassword},
		{"carol", LevelAdmin, reissueTestPassword},
	} {
		u, err := st.CreateUser(ctx, nu)
		if err != nil {
			t.Fatal(err)
		}
		e.users[u.Username] = u
	}
	return e
}

func (e *reissueEnv) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *reissueEnv) actor(name string) ReissueActor {
	u := e.users[name]
	return ReissueActor{UserID: u.ID, Username: u.Username, Level: u.Level, RemoteAddr: "192.0.2.1"}
}

// exec runs SQL on the writer, failing the test on error.
func (e *reissueEnv) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.st.w.ExecContext(e.ctx, q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

// addCard inserts a card with a known number, movements and a token, and
// returns its id and number.
func (e *reissueEnv) addCard(status string) (string, string) {
	e.t.Helper()
	key := e.st.PANKey()
	// Hex, not a run of digits: a long one could pass the Luhn check and be
	// masked in audit rows as a card number would.
	id := fmt.Sprintf("card-%s-%x", strings.ToLower(status), time.Now().UnixNano())
	pan, _ := RandomPAN("424242")
	old, _ := RandomPAN("424242")
	created := e.now.Add(-400 * 24 * time.Hour).UnixMilli()
	e.exec(`INSERT INTO cards(id, card_holder_name, name_norm, type, bin, last4, exp_month, exp_year, status, approval_method,
		daily_limit_cents, weekly_limit_cents, monthly_limit_cents, balance_cents, version, created_at, updated_at)
		VALUES (?, 'Zoë Tester', 'zoe tester', 'VIRTUAL', '424242', ?, 3, 2028, ?, 'TOP_UP', 50000, 150000, NULL, 123456, 2, ?, ?)`,
		id, pan[12:], status, created, created)
	// A former number, then the current one.
	e.exec(`INSERT INTO card_numbers(card_id, card_key, first6, last4, pan_hash, exp_month, exp_year, active_from, inactive_since)
		VALUES (?, (SELECT rowid FROM cards WHERE id = ?), '424242', ?, ?, 1, 2027, ?, ?)`, id, id, old[12:], HashPAN(key, old), created, created+1000)
	e.exec(`INSERT INTO card_numbers(card_id, card_key, first6, last4, pan_hash, exp_month, exp_year, active_from)
		VALUES (?, (SELECT rowid FROM cards WHERE id = ?), '424242', ?, ?, 3, 2028, ?)`, id, id, pan[12:], HashPAN(key, pan), created+1000)
	for i := range 3 {
		e.exec(`INSERT INTO card_transactions(id, card_id, datetime, operation, status, bill_amount_cents, transaction_amount_cents,
			transaction_currency, original_balance_cents, new_balance_cents) VALUES (?, ?, ?, 'AUTHORIZATION', 'SUCCESS', 1000, 1000, 'USD', 124456, 123456)`,
			fmt.Sprintf("%s-tx%d", id, i), id, created+int64(i)*1000)
	}
	e.exec(`INSERT INTO card_tokenizations(id, card_id, wallet_provider, device_name, status, created_at)
		VALUES (?, ?, 'GOOGLE_PAY', 'Pixel', 'ACTIVE', ?)`, id+"-tok", id, created)
	return id, pan
}

// cardSnapshot is everything a reissue must leave alone.
func (e *reissueEnv) cardSnapshot(id string) string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT card_holder_name, status, approval_method, coalesce(daily_limit_cents, -1), coalesce(weekly_limit_cents, -1),
			coalesce(monthly_limit_cents, -1), balance_cents, coalesce(wallet_id, ''), created_at FROM cards WHERE id = ?`,
		`SELECT id, datetime, operation, status, bill_amount_cents, original_balance_cents, new_balance_cents FROM card_transactions WHERE card_id = ? ORDER BY id`,
		`SELECT id, wallet_provider, device_name, status FROM card_tokenizations WHERE card_id = ? ORDER BY id`,
	} {
		rows, err := e.st.r.QueryContext(e.ctx, q, id)
		if err != nil {
			e.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				e.t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func (e *reissueEnv) card(id string) ReissueCard {
	e.t.Helper()
	c, err := e.st.ReissueCard(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *reissueEnv) request(cardID, maker string, fourEyes bool) ReissueRequest {
	e.t.Helper()
	r, err := e.st.CreateReissueRequest(e.ctx, NewReissueRequest{
		CardID: cardID, SeenVersion: e.card(cardID).Version, Reason: ReasonLost, FourEyes: fourEyes, Actor: e.actor(maker),
	})
	if err != nil {
		e.t.Fatalf("create request: %v", err)
	}
	return r
}

func (e *reissueEnv) confirm(rid, who, last4, password string) (ReissueRequest, error) {
	return e.st.ConfirmReissue(e.ctx, ReissueConfirmation{RequestID: rid, Last4: last4, Password: password, Actor: e.actor(who)})
}

// auditCount counts audit rows against the card with that action and result.
func (e *reissueEnv) auditCount(cardID, action, result string) int {
	e.t.Helper()
	var n int
	if err := e.st.r.QueryRowContext(e.ctx, `SELECT count(*) FROM audit_log WHERE target_type = 'card' AND target_id = ? AND action = ? AND result = ?`,
		cardID, action, result).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *reissueEnv) numbers(cardID string) (active, inactive []string) {
	e.t.Helper()
	rows, err := e.st.r.QueryContext(e.ctx, `SELECT last4, inactive_since IS NULL FROM card_numbers WHERE card_id = ? ORDER BY id`, cardID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var l string
		var act bool
		if err := rows.Scan(&l, &act); err != nil {
			e.t.Fatal(err)
		}
		if act {
			active = append(active, l)
		} else {
			inactive = append(inactive, l)
		}
	}
	return active, inactive
}

func TestReissueReplacesNumberOnly(t *testing.T) {
	e := newReissueEnv(t)
	id, oldPAN := e.addCard("FROZEN")
	before := e.cardSnapshot(id)
	old := e.card(id)
	req := e.request(id, "alice", false)
	if req.Status != ReissuePending || req.CardVersion != old.Version || req.ExpiresAt.Sub(req.CreatedAt) != ReissueTTL {
		t.Fatalf("request = %+v, want PENDING at version %d valid %s", req, old.Version, ReissueTTL)
	}
	e.advance(time.Minute)

	done, err := e.confirm(req.ID, "alice", old.Last4, reissueTestPassword)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if done.Status != ReissueDone || done.Checker != "alice" {
		t.Errorf("request after = %s by %q, want DONE by alice", done.Status, done.Checker)
	}
	now := e.now
	c := e.card(id)
	if len(e.pans) == 0 {
		t.Fatal("no number was drawn")
	}
	pan := e.pans[len(e.pans)-1]
	if !LuhnValid(pan) || len(pan) != PANLength {
		t.Errorf("new number %s... is not a Luhn-valid %d-digit number", pan[:6], PANLength)
	}
	if pan[:BINLength] != "424242" {
		t.Errorf("new BIN = %s, want 424242", pan[:BINLength])
	}
	if pan == oldPAN || c.Last4 == old.Last4 {
		t.Errorf("the new number equals the old one")
	}
	if c.Last4 != pan[12:] || done.NewLast4 != c.Last4 || done.OldLast4 != old.Last4 {
		t.Errorf("last4 = %s (request old %s new %s), want %s", c.Last4, done.OldLast4, done.NewLast4, pan[12:])
	}
	if c.ExpMonth != 11 || c.ExpYear != 2029 || done.NewExpMonth != 11 || done.NewExpYear != 2029 {
		t.Errorf("expiry = %02d/%d, want 11/2029 (end of the month three years ahead)", c.ExpMonth, c.ExpYear)
	}
	if c.Version != old.Version+1 {
		t.Errorf("version = %d, want %d", c.Version, old.Version+1)
	}
	var updated int64
	var hash []byte
	e.st.r.QueryRow(`SELECT updated_at FROM cards WHERE id = ?`, id).Scan(&updated)
	if updated != now.UnixMilli() {
		t.Errorf("updated_at = %d, want %d", updated, now.UnixMilli())
	}
	key := e.st.PANKey()
	e.st.r.QueryRow(`SELECT pan_hash FROM card_numbers WHERE card_id = ? AND inactive_since IS NULL`, id).Scan(&hash)
	if string(hash) != string(HashPAN(key, pan)) {
		t.Errorf("active number's pan_hash is not the keyed hash of the drawn number")
	}
	if got := e.cardSnapshot(id); got != before {
		t.Errorf("balance, movements, limits, status or tokens changed:\nbefore %s\nafter  %s", before, got)
	}

	// Numbers history: exactly one active number (the new one); the old one
	// inactive since now, so support still finds the card by its old last 4.
	active, inactive := e.numbers(id)
	if len(active) != 1 || active[0] != c.Last4 || len(inactive) != 2 || inactive[1] != old.Last4 {
		t.Errorf("numbers: active %v, inactive %v; want [%s] and the old %s inactive", active, inactive, c.Last4, old.Last4)
	}
	var since int64
	var found string
	e.st.r.QueryRow(`SELECT card_id, inactive_since FROM card_numbers WHERE last4 = ? AND card_id = ?`, old.Last4, id).Scan(&found, &since)
	if found != id || since != now.UnixMilli() {
		t.Errorf("old last 4 %s: card %q inactive since %d, want %s since %d", old.Last4, found, since, id, now.UnixMilli())
	}

	// Audit: one reissue row with reason, old and new last 4; the full number
	// appears nowhere.
	if n := e.auditCount(id, "card.reissue", ResultOK); n != 1 {
		t.Errorf("card.reissue audit rows = %d, want 1", n)
	}
	var detail string
	e.st.r.QueryRow(`SELECT detail FROM audit_log WHERE action = 'card.reissue'`).Scan(&detail)
	for _, want := range []string{"Lost", old.Last4 + " → " + c.Last4, "confirmed by alice"} {
		if !strings.Contains(detail, want) {
			t.Errorf("audit detail %q does not contain %q", detail, want)
		}
	}
	var leaks int
	e.st.r.QueryRow(`SELECT count(*) FROM audit_log WHERE detail LIKE '%' || ? || '%'`, pan).Scan(&leaks)
	if leaks != 0 {
		t.Errorf("the full number appears in %d audit rows", leaks)
	}

	// The card's reissues list shows it.
	list, err := e.st.CardReissues(e.ctx, id)
	if err != nil || len(list) != 1 || list[0].Status != ReissueDone {
		t.Errorf("CardReissues = %+v, %v; want the one DONE request", list, err)
	}
}

func TestReissueRefusals(t *testing.T) {
	t.Run("deleted card at step 1", func(t *testing.T) {
		e := newReissueEnv(t)
		id, _ := e.addCard("DELETED")
		_, err := e.st.CreateReissueRequest(e.ctx, NewReissueRequest{CardID: id, SeenVersion: 2, Reason: ReasonLost, Actor: e.actor("alice")})
		if !errors.Is(err, ErrCardDeleted) {
			t.Fatalf("err = %v, want ErrCardDeleted", err)
		}
		if n := e.auditCount(id, "reissue.request", ResultRefused); n != 1 {
			t.Errorf("refused audit rows = %d, want 1", n)
		}
		if list, _ := e.st.CardReissues(e.ctx, id); len(list) != 0 {
			t.Errorf("a request was stored for a deleted card: %+v", list)
		}
	})
	t.Run("unknown card", func(t *testing.T) {
		e := newReissueEnv(t)
		_, err := e.st.CreateReissueRequest(e.ctx, NewReissueRequest{CardID: "no-such-card", SeenVersion: 1, Reason: ReasonLost, Actor: e.actor("alice")})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("bad reason and missing note", func(t *testing.T) {
		e := newReissueEnv(t)
		id, _ := e.addCard("ACTIVE")
		_, err := e.st.CreateReissueRequest(e.ctx, NewReissueRequest{CardID: id, SeenVersion: 2, Reason: "BORED", Actor: e.actor("alice")})
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["reason"] != FieldInvalid {
			t.Errorf("err = %v, want reason invalid", err)
		}
		_, err = e.st.CreateReissueRequest(e.ctx, NewReissueRequest{CardID: id, SeenVersion: 2, Reason: ReasonOther, Note: "  ", Actor: e.actor("alice")})
		if !errors.As(err, &fe) || fe["note"] != FieldRequired {
			t.Errorf("err = %v, want note required", err)
		}
		if list, _ := e.st.CardReissues(e.ctx, id); len(list) != 0 {
			t.Errorf("bad input stored a request: %+v", list)
		}
	})
	t.Run("card changed before step 1 was submitted", func(t *testing.T) {
		e := newReissueEnv(t)
		id, _ := e.addCard("ACTIVE")
		_, err := e.st.CreateReissueRequest(e.ctx, NewReissueRequest{CardID: id, SeenVersion: 1, Reason: ReasonLost, Actor: e.actor("alice")})
		if !errors.Is(err, ErrReissueCardChanged) {
			t.Fatalf("err = %v, want ErrReissueCardChanged", err)
		}
	})

	for _, tc := range []struct {
		name   string
		who    string
		before func(e *reissueEnv, cardID string)
		want   error
		status string
	}{
		{"expired", "alice", func(e *reissueEnv, _ string) { e.advance(ReissueTTL) }, ErrReissueExpired, ReissueExpired},
		{"made for another admin", "bob", nil, ErrReissueNotYours, ReissuePending},
		{"card frozen since step 1", "alice", func(e *reissueEnv, id string) {
			e.exec(`UPDATE cards SET status = 'FROZEN', version = version + 1 WHERE id = ?`, id)
		}, ErrReissueCardChanged, ReissueCancelled},
		{"card deleted since step 1", "alice", func(e *reissueEnv, id string) {
			e.exec(`UPDATE cards SET status = 'DELETED', version = version + 1 WHERE id = ?`, id)
		}, ErrCardDeleted, ReissueCancelled},
		{"rejected", "alice", func(e *reissueEnv, id string) {
			rs, _ := e.st.CardReissues(e.ctx, id)
			if _, err := e.st.RejectReissue(e.ctx, ReissueRejection{RequestID: rs[0].ID, Reason: "customer found the card", Actor: e.actor("alice")}); err != nil {
				e.t.Fatal(err)
			}
		}, ErrReissueClosed, ReissueRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newReissueEnv(t)
			id, _ := e.addCard("ACTIVE")
			req := e.request(id, "alice", false)
			last4 := e.card(id).Last4
			if tc.before != nil {
				tc.before(e, id)
			}
			snap := e.cardSnapshot(id)
			cur := e.card(id)
			got, err := e.confirm(req.ID, tc.who, last4, reissueTestPassword)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if got.Status != tc.status {
				t.Errorf("request status = %s, want %s", got.Status, tc.status)
			}
			if after := e.card(id); after.Last4 != cur.Last4 || after.Version != cur.Version || e.cardSnapshot(id) != snap {
				t.Errorf("card changed on a refusal: %+v -> %+v", cur, after)
			}
			if n := e.auditCount(id, "reissue.confirm", ResultRefused); n != 1 {
				t.Errorf("refused confirm audit rows = %d, want 1", n)
			}
			if got.FailedAttempts != 0 {
				t.Errorf("failed attempts = %d, want 0 (not a wrong guess)", got.FailedAttempts)
			}
		})
	}

	t.Run("unknown request", func(t *testing.T) {
		e := newReissueEnv(t)
		if _, err := e.confirm("no-such-request", "alice", "1234", reissueTestPassword); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestReissueReplayAfterSuccess(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	req := e.request(id, "alice", false)
	last4 := e.card(id).Last4
	first, err := e.confirm(req.ID, "alice", last4, reissueTestPassword)
	if err != nil {
		t.Fatal(err)
	}
	after := e.card(id)
	// The back button and a replayed form send the same fields again.
	got, err := e.confirm(req.ID, "alice", last4, reissueTestPassword)
	if !errors.Is(err, ErrReissueDone) {
		t.Fatalf("replay: err = %v, want ErrReissueDone", err)
	}
	if got.NewLast4 != first.NewLast4 || got.Checker != "alice" {
		t.Errorf("replay answer = %+v, want the original result to report", got)
	}
	if c := e.card(id); c != after {
		t.Errorf("replay changed the card: %+v -> %+v", after, c)
	}
	if active, inactive := e.numbers(id); len(active)+len(inactive) != 3 {
		t.Errorf("numbers = %v + %v, want 3 in all", active, inactive)
	}
	// An older request for the same card, made before the reissue, is stale.
	e2 := e.request(id, "bob", false)
	e.exec(`UPDATE cards SET version = version + 1 WHERE id = ?`, id)
	if _, err := e.confirm(e2.ID, "bob", e.card(id).Last4, reissueTestPassword); !errors.Is(err, ErrReissueCardChanged) {
		t.Errorf("stale request: err = %v, want ErrReissueCardChanged", err)
	}
}

func TestReissueWrongAttempts(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	req := e.request(id, "alice", false)
	c := e.card(id)
	wrong := "0000"
	if c.Last4 == wrong {
		wrong = "1111"
	}
	snap := e.cardSnapshot(id)

	_, err := e.confirm(req.ID, "alice", c.Last4, "not my password")
	if !errors.Is(err, ErrReissueWrongPassword) || errors.Is(err, ErrReissueWrongLast4) {
		t.Fatalf("wrong password: err = %v, want ErrReissueWrongPassword only", err)
	}
	_, err = e.confirm(req.ID, "alice", wrong, reissueTestPassword)
	if !errors.Is(err, ErrReissueWrongLast4) || errors.Is(err, ErrReissueWrongPassword) {
		t.Fatalf("wrong last 4: err = %v, want ErrReissueWrongLast4 only", err)
	}
	for i := 3; i <= ReissueMaxAttempts; i++ {
		got, err := e.confirm(req.ID, "alice", wrong, "not my password")
		if !errors.Is(err, ErrReissueWrongLast4) || !errors.Is(err, ErrReissueWrongPassword) {
			t.Fatalf("attempt %d: err = %v, want both wrong", i, err)
		}
		if last := i == ReissueMaxAttempts; errors.Is(err, ErrReissueTooManyAttempts) != last {
			t.Fatalf("attempt %d: err = %v, cancelled = %v, want %v", i, err, !last, last)
		}
		if got.FailedAttempts != i || got.AttemptsLeft() != ReissueMaxAttempts-i {
			t.Errorf("attempt %d: failed = %d, left %d", i, got.FailedAttempts, got.AttemptsLeft())
		}
	}
	got, err := e.confirm(req.ID, "alice", c.Last4, reissueTestPassword)
	if !errors.Is(err, ErrReissueClosed) || got.Status != ReissueCancelled {
		t.Fatalf("right answer after 5 wrong: err = %v, status %s; want ErrReissueClosed, CANCELLED", err, got.Status)
	}
	if e.card(id) != c || e.cardSnapshot(id) != snap {
		t.Errorf("wrong attempts changed the card")
	}
	if n := e.auditCount(id, "reissue.confirm", ResultRefused); n != ReissueMaxAttempts+1 {
		t.Errorf("refused confirm audit rows = %d, want %d", n, ReissueMaxAttempts+1)
	}
}

func TestReissueFourEyes(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	req := e.request(id, "alice", true)
	last4 := e.card(id).Last4
	if _, err := e.confirm(req.ID, "alice", last4, reissueTestPassword); !errors.Is(err, ErrReissueOwnRequest) {
		t.Fatalf("maker confirms: err = %v, want ErrReissueOwnRequest", err)
	}
	if e.card(id).Last4 != last4 {
		t.Fatal("the maker's confirmation reissued the card")
	}
	pending, err := e.st.PendingReissues(e.ctx)
	if err != nil || len(pending) != 1 || pending[0].ID != req.ID || pending[0].Card.HolderName != "Zoë Tester" {
		t.Fatalf("queue = %+v, %v; want the request with its card", pending, err)
	}
	done, err := e.confirm(req.ID, "bob", last4, reissueTestPassword)
	if err != nil {
		t.Fatalf("checker confirms: %v", err)
	}
	if done.Maker != "alice" || done.Checker != "bob" || done.Status != ReissueDone {
		t.Errorf("request = maker %s checker %s %s, want alice, bob, DONE", done.Maker, done.Checker, done.Status)
	}
	var actors []string
	rows, _ := e.st.r.Query(`SELECT actor || ':' || action || ':' || result FROM audit_log WHERE target_id = ? ORDER BY id`, id)
	for rows.Next() {
		var a string
		rows.Scan(&a)
		actors = append(actors, a)
	}
	rows.Close()
	want := "alice:reissue.request:ok alice:reissue.confirm:refused bob:card.reissue:ok"
	if got := strings.Join(actors, " "); got != want {
		t.Errorf("audit trail = %q, want %q", got, want)
	}
	if pending, _ := e.st.PendingReissues(e.ctx); len(pending) != 0 {
		t.Errorf("queue after confirmation = %+v, want empty", pending)
	}

	// Switching four-eyes on applies to a request made without it.
	r2 := e.request(id, "carol", false)
	_, err = e.st.ConfirmReissue(e.ctx, ReissueConfirmation{RequestID: r2.ID, Last4: e.card(id).Last4, Password: reissueTestPassword,
		FourEyes: true, Actor: e.actor("carol")})
	if !errors.Is(err, ErrReissueOwnRequest) {
		t.Errorf("maker under four-eyes mode: err = %v, want ErrReissueOwnRequest", err)
	}
}

func TestReissueReject(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	req := e.request(id, "alice", true)
	if _, err := e.st.RejectReissue(e.ctx, ReissueRejection{RequestID: req.ID, Reason: " ", Actor: e.actor("bob")}); err == nil {
		t.Fatal("reject without a reason: err = nil")
	}
	got, err := e.st.RejectReissue(e.ctx, ReissueRejection{RequestID: req.ID, Reason: "cardholder found it", Actor: e.actor("bob")})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != ReissueRejected || got.Checker != "bob" || got.DecisionNote != "cardholder found it" {
		t.Errorf("rejected request = %+v", got)
	}
	if _, err := e.st.RejectReissue(e.ctx, ReissueRejection{RequestID: req.ID, Reason: "again", Actor: e.actor("carol")}); !errors.Is(err, ErrReissueClosed) {
		t.Errorf("second reject: err = %v, want ErrReissueClosed", err)
	}
	if n := e.auditCount(id, "reissue.reject", ResultOK); n != 1 {
		t.Errorf("reject audit rows = %d, want 1", n)
	}

	// Without four-eyes only the maker may withdraw a request.
	r2 := e.request(id, "alice", false)
	if _, err := e.st.RejectReissue(e.ctx, ReissueRejection{RequestID: r2.ID, Reason: "not mine", Actor: e.actor("bob")}); !errors.Is(err, ErrReissueNotYours) {
		t.Errorf("another admin withdraws: err = %v, want ErrReissueNotYours", err)
	}
	got, err = e.st.RejectReissue(e.ctx, ReissueRejection{RequestID: r2.ID, Reason: "typed the wrong card", Actor: e.actor("alice")})
	if err != nil || got.Status != ReissueRejected {
		t.Errorf("maker withdraws: %v, status %s; want REJECTED", err, got.Status)
	}
}

// TestReissueConcurrentConfirmations fires many confirmations of the same
// request at once at a real database file: exactly one reissues the card.
func TestReissueConcurrentConfirmations(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	req := e.request(id, "alice", false)
	c := e.card(id)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = e.confirm(req.ID, "alice", c.Last4, reissueTestPassword)
		})
	}
	close(start)
	wg.Wait()
	ok, done := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, ErrReissueDone):
			done++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || done != n-1 {
		t.Errorf("successes = %d, already-done = %d; want 1 and %d", ok, done, n-1)
	}
	after := e.card(id)
	if after.Version != c.Version+1 {
		t.Errorf("version = %d, want %d (one reissue)", after.Version, c.Version+1)
	}
	if active, inactive := e.numbers(id); len(active) != 1 || len(inactive) != 2 {
		t.Errorf("numbers: %d active, %d inactive; want 1 and 2", len(active), len(inactive))
	}
	if got := e.auditCount(id, "card.reissue", ResultOK); got != 1 {
		t.Errorf("card.reissue audit rows = %d, want 1", got)
	}
	if got := e.auditCount(id, "reissue.confirm", ResultRefused); got != n-1 {
		t.Errorf("refused confirm audit rows = %d, want %d", got, n-1)
	}
}

// TestReissueTwoAdminsAtOnce: two admins each prepare a reissue of the same
// card and confirm at the same moment, several times over: one card reissue.
func TestReissueTwoAdminsAtOnce(t *testing.T) {
	e := newReissueEnv(t)
	id, _ := e.addCard("ACTIVE")
	c := e.card(id)
	ra := e.request(id, "alice", false)
	rb := e.request(id, "bob", false)
	const each = 10
	type result struct {
		who string
		err error
	}
	results := make(chan result, 2*each)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range each {
		for _, p := range []struct{ who, rid string }{{"alice", ra.ID}, {"bob", rb.ID}} {
			wg.Go(func() {
				<-start
				_, err := e.confirm(p.rid, p.who, c.Last4, reissueTestPassword)
				results <- result{p.who, err}
			})
		}
	}
	close(start)
	wg.Wait()
	close(results)
	winners := map[string]int{}
	for r := range results {
		switch {
		case r.err == nil:
			winners[r.who]++
		case errors.Is(r.err, ErrReissueDone), errors.Is(r.err, ErrReissueCardChanged), errors.Is(r.err, ErrReissueClosed):
		default:
			t.Errorf("%s: unexpected error: %v", r.who, r.err)
		}
	}
	if winners["alice"]+winners["bob"] != 1 {
		t.Fatalf("winners = %v, want exactly one reissue", winners)
	}
	if after := e.card(id); after.Version != c.Version+1 {
		t.Errorf("version = %d, want %d", after.Version, c.Version+1)
	}
	if got := e.auditCount(id, "card.reissue", ResultOK); got != 1 {
		t.Errorf("card.reissue audit rows = %d, want 1", got)
	}
	// The loser's request is closed and says why.
	a, _ := e.st.ReissueRequestByID(e.ctx, ra.ID)
	b, _ := e.st.ReissueRequestByID(e.ctx, rb.ID)
	if !(a.Status == ReissueDone && b.Status == ReissueCancelled) && !(b.Status == ReissueDone && a.Status == ReissueCancelled) {
		t.Errorf("statuses = %s, %s; want one DONE and one CANCELLED", a.Status, b.Status)
	}
}

func TestFreshPANAvoidsUsedNumbers(t *testing.T) {
	e := newReissueEnv(t)
	id, pan := e.addCard("ACTIVE")
	_ = id
	key := e.st.PANKey()
	// The first draw is a number already issued; the second has a last 4 to
	// avoid; the third is fresh.
	fresh, _ := RandomPAN("424242")
	for fresh[12:] == pan[12:] {
		fresh, _ = RandomPAN("424242")
	}
	avoid := "9999"
	if fresh[12:] == avoid {
		avoid = "8888"
	}
	withAvoided := pan[:12] + avoid
	draws := []string{pan, withAvoided, fresh}
	e.st.newPAN = func(string) (string, error) { p := draws[0]; draws = draws[1:]; return p, nil }
	tx, err := e.st.w.BeginTx(e.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	got, hash, err := e.st.freshPAN(e.ctx, tx, key, "424242", []string{avoid})
	if err != nil {
		t.Fatal(err)
	}
	if got != fresh || string(hash) != string(HashPAN(key, fresh)) {
		t.Errorf("freshPAN = %s..., want the third draw", got[:6])
	}
}

func TestReissueExpiry(t *testing.T) {
	for _, tc := range []struct {
		at          time.Time
		month, year int
	}{
		{time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC), 1, 2029},
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 12, 2029},
		{time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), 2, 2031},
	} {
		m, y := ReissueExpiry(tc.at)
		if m != tc.month || y != tc.year {
			t.Errorf("ReissueExpiry(%s) = %02d/%d, want %02d/%d", tc.at, m, y, tc.month, tc.year)
		}
	}
}

// BenchmarkReissue measures one whole reissue, step 1 and step 2, on a
// database of 2,000 cards; bcrypt runs at its minimum cost here, so add the
// production cost (DefaultBcryptCost) of one password check to the figure.
func BenchmarkReissue(b *testing.B) {
	e := newReissueEnv(b)
	const background = 2000
	ids := make([]string, 0, background)
	// Setting up need not survive a crash; the measured part runs with the
	// store's own synchronous(FULL).
	e.exec(`PRAGMA synchronous = OFF`)
	for range background {
		id, _ := e.addCard("ACTIVE")
		ids = append(ids, id)
	}
	e.exec(`PRAGMA synchronous = FULL`)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := ids[i%len(ids)]
		c := e.card(id)
		r, err := e.st.CreateReissueRequest(e.ctx, NewReissueRequest{CardID: id, SeenVersion: c.Version, Reason: ReasonLost, Actor: e.actor("alice")})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.confirm(r.ID, "alice", c.Last4, reissueTestPassword); err != nil {
			b.Fatal(err)
		}
	}
}

// TestReissueSurvivesCardActivity: purchases on the card between step 1 and
// step 2 (a stolen card still in use, say) do not cancel the prepared
// reissue; only changes to its number or state do.
func TestReissueSurvivesCardActivity(t *testing.T) {
	e := newReissueEnv(t)
	id, pan := e.addCard("ACTIVE")
	r := e.request(id, "alice", false)
	if _, err := e.st.Simulate(e.ctx, SimRequest{Action: ActAuthorize, CardID: id, Amount: "12.50",
		By: SimActor{Name: "qa", Level: LevelOperational}}); err != nil {
		t.Fatalf("authorize between the steps: %v", err)
	}
	done, err := e.confirm(r.ID, "alice", pan[12:], reissueTestPassword)
	if err != nil {
		t.Fatalf("confirm after a purchase: %v", err)
	}
	if done.Status != ReissueDone {
		t.Errorf("status = %s, want %s", done.Status, ReissueDone)
	}
}
