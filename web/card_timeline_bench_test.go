package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"cardops/store"
	"cardops/store/storetest"
)

// BenchmarkCardTimeline is the card page's first screen for a card with
// 5,000 timeline entries (1,500 authorizations each with its clearing, 1,000
// notifications about them, 500 others, 500 audit rows) in a store of 1M
// cards (CARDOPS_BENCH_CARDS changes the count). "page" is the whole card
// page through the router, as a signed-in viewer; "summary" the refresh an
// open page makes on a live signal; "balances" the balance chart's read
// alone and "store" store.CardTimeline alone.
func BenchmarkCardTimeline(b *testing.B) {
	ctx := context.Background()
	st, err := store.OpenWith(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cards := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("CARDOPS_BENCH_CARDS")); err == nil && n > 0 {
		cards = n
	}
	if err := storetest.BulkCards(ctx, st, cards-1); err != nil {
		b.Fatal(err)
	}
	const base = int64(1_790_000_000_000)
	var ms []storetest.Movement
	for i := range 1500 {
		at := base + int64(i)*60_000
		auth := fmt.Sprintf("auth-%04d", i)
		op := ""
		if i < 1000 {
			op = "op-" + auth
		}
		ms = append(ms,
			storetest.Movement{ID: auth, At: at, Amount: 1000 + int64(i), Merchant: "Merchant", SourceOperationID: op},
			storetest.Movement{ID: fmt.Sprintf("clear-%04d", i), At: at + 30_000, Operation: "CLEARING", ParentID: auth, Amount: 1000 + int64(i)})
	}
	id := storetest.AddCard(b, st, storetest.Card{Holder: "Busy Card", Last4: "5000", Movements: ms})
	var ds []store.Delivery
	for i := range 1500 {
		op := fmt.Sprintf("op-auth-%04d", i)
		if i >= 1000 {
			op = fmt.Sprintf("op-other-%04d", i)
		}
		ds = append(ds, store.Delivery{ReceivedAt: time.UnixMilli(base + int64(i)*60_000 + 1000), Headers: map[string][]string{},
			Verification: "provider-key: ok", Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: op,
			Status: "SUCCESS", StatusRaw: "SUCCESS", CardID: id, Body: []byte(`{}`)})
	}
	if _, err := st.RecordDeliveries(ctx, ds); err != nil {
		b.Fatal(err)
	}
	for i := range 500 {
		if err := st.Audit(ctx, store.AuditEntry{At: time.UnixMilli(base + int64(i)*180_000 + 7), Actor: "ada",
			Action: "card.note", TargetType: "card", TargetID: id, Result: store.ResultOK}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := st.CreateUser(ctx, store.NewUser{Username: "viewer", Level: store.LevelReadOnly, Password: testPassword}); err != nil {
		b.Fatal(err)
	}
	srv, err := New(ctx, Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, formRequest(http.MethodPost, "/login", url.Values{"username": {"viewer"}, "password": {testPassword}}))
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/cards/"+id, nil)
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="tl-movement-auth-1499"`) {
				b.Fatalf("status = %d, or the newest authorization is missing", rec.Code)
			}
		}
	})
	// summary is what an open card page asks for on every live signal about
	// the card: the panels, the freeze panel and the balance chart (the
	// newest 500 movements).
	b.Run("summary", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, "/cards/"+id+"/summary?version=1", nil)
			req.AddCookie(cookie)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="card-balance-chart"`) {
				b.Fatalf("status = %d, or the balance chart is missing", rec.Code)
			}
		}
	})
	b.Run("balances", func(b *testing.B) {
		for b.Loop() {
			ps, err := st.CardBalances(ctx, id, 500)
			if err != nil || len(ps) != 500 {
				b.Fatalf("%d points, %v", len(ps), err)
			}
		}
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			es, _, err := st.CardTimeline(ctx, id, store.TimelineFilter{}, store.TimelineCursor{}, cardTimelinePage)
			if err != nil || len(es) != cardTimelinePage {
				b.Fatalf("%d entries, %v", len(es), err)
			}
		}
	})
}
