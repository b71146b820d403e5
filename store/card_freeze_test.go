package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

func openFreezeStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "freeze.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var admin = store.Actor{Username: "ada", Level: store.LevelAdmin, RemoteAddr: "127.0.0.1"}

func cardVersion(t *testing.T, st *store.Store, id string) int64 {
	t.Helper()
	c, err := st.CardByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Version
}

func auditRows(t *testing.T, st *store.Store, action, cardID string) []store.AuditEntry {
	t.Helper()
	rows, err := st.AuditLog(context.Background(), store.AuditFilter{Action: action, TargetType: "card", TargetID: cardID})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestSetCardFrozenRoundTrip(t *testing.T) {
	st := openFreezeStore(t)
	ctx := context.Background()
	id := storetest.AddCard(t, st, storetest.Card{Holder: "Ann Frost"})

	ch, err := st.SetCardFrozen(ctx, store.CardFreeze{CardID: id, Freeze: true, SeenVersion: cardVersion(t, st, id),
		Reason: store.FreezeSuspectedFraud, Note: "  odd purchases  ", Actor: admin})
	if err != nil {
		t.Fatal(err)
	}
	if ch.From != "ACTIVE" || ch.To != "FROZEN" || ch.Note != "odd purchases" {
		t.Errorf("change = %+v, want ACTIVE → FROZEN with the note trimmed", ch)
	}
	c, _ := st.CardByID(ctx, id)
	if c.Status != "FROZEN" {
		t.Errorf("status = %s, want FROZEN", c.Status)
	}
	if _, err := st.SetCardFrozen(ctx, store.CardFreeze{CardID: id, Freeze: false, SeenVersion: c.Version,
		Reason: store.FreezeLostThenFound, Actor: admin}); err != nil {
		t.Fatal(err)
	}
	hist, err := st.CardStatusHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].To != "ACTIVE" || hist[1].To != "FROZEN" || hist[0].Actor != "ada" {
		t.Errorf("history = %+v, want unfreeze then freeze by ada, newest first", hist)
	}
	if a := auditRows(t, st, store.AuditCardFreeze, id); len(a) != 1 || a[0].Result != store.ResultOK ||
		!strings.Contains(a[0].Detail, "suspected_fraud") || !strings.Contains(a[0].Detail, "odd purchases") {
		t.Errorf("freeze audit = %+v, want one ok row with reason and note", a)
	}
	if a := auditRows(t, st, store.AuditCardUnfreeze, id); len(a) != 1 || a[0].Result != store.ResultOK {
		t.Errorf("unfreeze audit = %+v, want one ok row", a)
	}
}

func TestSetCardFrozenRefusals(t *testing.T) {
	st := openFreezeStore(t)
	ctx := context.Background()
	active := storetest.AddCard(t, st, storetest.Card{})
	deleted := storetest.AddCard(t, st, storetest.Card{Status: "DELETED"})

	tests := []struct {
		name       string
		f          store.CardFreeze
		wantFields store.FieldErrors
		wantStatus string
		wantErr    error
	}{
		{name: "reason missing", f: store.CardFreeze{CardID: active, Freeze: true},
			wantFields: store.FieldErrors{"reason": store.FieldRequired}},
		{name: "unknown reason", f: store.CardFreeze{CardID: active, Freeze: true, Reason: "bored"},
			wantFields: store.FieldErrors{"reason": store.FieldInvalid}},
		{name: "other needs a note", f: store.CardFreeze{CardID: active, Freeze: true, Reason: store.FreezeOther, Note: "  "},
			wantFields: store.FieldErrors{"note": store.FieldRequired}},
		{name: "note too long", f: store.CardFreeze{CardID: active, Freeze: true, Reason: store.FreezeOther, Note: strings.Repeat("é", store.FreezeNoteMax+1)},
			wantFields: store.FieldErrors{"note": store.FieldTooLong}},
		{name: "unfreeze an active card", f: store.CardFreeze{CardID: active, Reason: store.FreezeCustomerRequest, SeenVersion: 1},
			wantStatus: "ACTIVE"},
		{name: "freeze a deleted card", f: store.CardFreeze{CardID: deleted, Freeze: true, Reason: store.FreezeCustomerRequest, SeenVersion: 1},
			wantStatus: "DELETED"},
		{name: "stale page", f: store.CardFreeze{CardID: active, Freeze: true, Reason: store.FreezeCustomerRequest, SeenVersion: 99},
			wantErr: store.ErrCardChanged},
		{name: "unknown card", f: store.CardFreeze{CardID: "00000000-0000-0000-0000-000000000000", Freeze: true, Reason: store.FreezeCustomerRequest},
			wantErr: store.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Actor = admin
			_, err := st.SetCardFrozen(ctx, tt.f)
			var fe store.FieldErrors
			var se *store.CardStatusError
			switch {
			case tt.wantFields != nil:
				if !errors.As(err, &fe) || len(fe) != len(tt.wantFields) {
					t.Fatalf("err = %v, want field errors %v", err, tt.wantFields)
				}
				for k, v := range tt.wantFields {
					if fe[k] != v {
						t.Errorf("field %s = %q, want %q", k, fe[k], v)
					}
				}
			case tt.wantStatus != "":
				if !errors.As(err, &se) || se.Status != tt.wantStatus {
					t.Fatalf("err = %v, want a status refusal for %s", err, tt.wantStatus)
				}
			default:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
			}
		})
	}
	if c, _ := st.CardByID(ctx, active); c.Status != "ACTIVE" || c.Version != 1 {
		t.Errorf("card = %s v%d, want ACTIVE v1: a refusal changes nothing", c.Status, c.Version)
	}
	if h, _ := st.CardStatusHistory(ctx, active); len(h) != 0 {
		t.Errorf("history = %+v, want none", h)
	}
	// Refusals the card's state decides are audited against the card.
	if a := auditRows(t, st, store.AuditCardUnfreeze, active); len(a) != 1 || a[0].Result != store.ResultRefused {
		t.Errorf("unfreeze audit = %+v, want one refused row", a)
	}
}

// TestSetCardFrozenOnce: twenty admins freezing the same card at once make
// one change; the others are told the card is frozen already, by whom.
func TestSetCardFrozenOnce(t *testing.T) {
	st := openFreezeStore(t)
	ctx := context.Background()
	id := storetest.AddCard(t, st, storetest.Card{})
	v := cardVersion(t, st, id)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, already int
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.SetCardFrozen(ctx, store.CardFreeze{CardID: id, Freeze: true, SeenVersion: v,
				Reason: store.FreezeSuspectedFraud, Actor: admin})
			var se *store.CardStatusError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.As(err, &se) && se.Status == "FROZEN" && se.Last != nil && se.Last.Actor == "ada":
				already++
			default:
				t.Errorf("err = %v, want success or 'frozen already'", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || already != 19 {
		t.Errorf("ok = %d, already = %d, want 1 and 19", ok, already)
	}
	if h, _ := st.CardStatusHistory(ctx, id); len(h) != 1 {
		t.Errorf("history rows = %d, want 1", len(h))
	}
	if got := cardVersion(t, st, id); got != v+1 {
		t.Errorf("version = %d, want %d", got, v+1)
	}
}
