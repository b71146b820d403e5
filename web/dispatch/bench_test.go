package dispatch

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/web/webhook"
)

// benchReceiver verifies every delivery (Standard Webhooks HMAC, as the
// embedded receiver does) and "stores" it: in memory, or, like the embedded
// receiver, as one committed SQLite transaction per delivery before it
// answers. It notes when each operation_id was stored.
type benchReceiver struct {
	creds webhook.Credentials
	db    *sql.DB // nil: memory only
	// group, when set, commits deliveries in groups: each handler queues
	// its row and waits until the transaction holding it has committed.
	group  chan groupRow
	mu     sync.Mutex
	stored map[string]time.Time
	all    chan struct{}
	want   int
}

func (rc *benchReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	now := time.Now()
	if v := webhook.Verify(r.Header, body, rc.creds, now); !v.OK {
		http.Error(w, v.Reason, 401)
		return
	}
	env, err := webhook.ParseEnvelope(body)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	switch {
	case rc.group != nil:
		row := groupRow{opID: env.OperationID, body: body, at: now.UnixMilli(), done: make(chan error, 1)}
		rc.group <- row
		if err := <-row.done; err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
	case rc.db != nil:
		if _, err := rc.db.Exec(`INSERT INTO events(operation_id, body, received_at) VALUES (?, ?, ?)
			ON CONFLICT(operation_id) DO NOTHING`, env.OperationID, body, now.UnixMilli()); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
	}
	at := time.Now()
	rc.mu.Lock()
	if _, dup := rc.stored[env.OperationID]; !dup {
		rc.stored[env.OperationID] = at
		if len(rc.stored) == rc.want {
			close(rc.all)
		}
	}
	rc.mu.Unlock()
	w.WriteHeader(200)
}

type groupRow struct {
	opID string
	body []byte
	at   int64
	done chan error
}

// commitGroups writes queued rows, as many as are waiting, in one
// transaction, then answers each handler.
func (rc *benchReceiver) commitGroups() {
	for first := range rc.group {
		batch := []groupRow{first}
	more:
		for len(batch) < 512 {
			select {
			case r := <-rc.group:
				batch = append(batch, r)
			default:
				break more
			}
		}
		err := func() error {
			tx, err := rc.db.Begin()
			if err != nil {
				return err
			}
			defer tx.Rollback()
			for _, r := range batch {
				if _, err := tx.Exec(`INSERT INTO events(operation_id, body, received_at) VALUES (?, ?, ?)
					ON CONFLICT(operation_id) DO NOTHING`, r.opID, r.body, r.at); err != nil {
					return err
				}
			}
			return tx.Commit()
		}()
		for _, r := range batch {
			r.done <- err
		}
	}
}

func newBenchReceiver(b *testing.B, st *store.Store, kind string, want int) *benchReceiver {
	sec, err := st.WebhookSecrets(context.Background(), "", "")
	if err != nil {
		b.Fatal(err)
	}
	rc := &benchReceiver{creds: webhook.Credentials{Keys: []string{sec.Key}, Secrets: []string{sec.Secret}},
		stored: map[string]time.Time{}, all: make(chan struct{}), want: want}
	if kind == "sqlite" || kind == "sqlite-group" {
		// A second database file, configured as the store's writer is.
		path := filepath.Join(b.TempDir(), "receiver.db")
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
		if err != nil {
			b.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE TABLE events(id INTEGER PRIMARY KEY, operation_id TEXT UNIQUE, body BLOB, received_at INTEGER)`); err != nil {
			b.Fatal(err)
		}
		rc.db = db
		if kind == "sqlite-group" {
			rc.group = make(chan groupRow, 1024)
			go rc.commitGroups()
			b.Cleanup(func() { close(rc.group) })
		}
		b.Cleanup(func() { db.Close() })
	}
	return rc
}

func benchDispatcher(b *testing.B, st *store.Store, target string) (*Dispatcher, func()) {
	d := New(Config{Store: st, Target: target, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	return d, func() { cancel(); <-done }
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// BenchmarkDispatch measures the dispatcher against a verifying receiver.
//
//   - burst: b.N notifications already in the outbox; reports deliveries/s.
//   - button: four QA sessions press Authorize as fast as they can (each
//     press is the simulation's transaction, then a wake-up); reports
//     deliveries/s and the p50/p99 from the press to the receiver having
//     stored the event.
//
// receiver=memory stores in memory; receiver=sqlite commits each delivery to
// its own SQLite file (synchronous=FULL, as the store) before answering, one
// transaction per delivery; receiver=sqlite-group does the same but commits
// the deliveries waiting at the same moment together (group commit), which
// the dispatcher's concurrent deliveries make possible.
func BenchmarkDispatch(b *testing.B) {
	for _, kind := range []string{"memory", "sqlite", "sqlite-group"} {
		b.Run("burst/receiver="+kind, func(b *testing.B) {
			st := openBenchStore(b)
			if err := storetest.QueueNotifications(context.Background(), st, b.N); err != nil {
				b.Fatal(err)
			}
			rc := newBenchReceiver(b, st, kind, b.N)
			srv := httptest.NewServer(rc)
			defer srv.Close()
			b.ResetTimer()
			start := time.Now()
			_, stop := benchDispatcher(b, st, srv.URL)
			<-rc.all
			elapsed := time.Since(start)
			b.StopTimer()
			stop()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
		})
		b.Run("button/receiver="+kind, func(b *testing.B) {
			st := openBenchStore(b)
			cardID := benchCard(b, st)
			rc := newBenchReceiver(b, st, kind, b.N)
			srv := httptest.NewServer(rc)
			defer srv.Close()
			d, stop := benchDispatcher(b, st, srv.URL)
			defer stop()
			var mu sync.Mutex
			pressed := make(map[string]time.Time, b.N)
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			const sessions = 4
			for g := range sessions {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := g; i < b.N; i += sessions {
						t0 := time.Now()
						res, err := st.Simulate(context.Background(), store.SimRequest{Action: store.ActAuthorize, CardID: cardID, Amount: "0.01", By: qa})
						if err != nil {
							b.Error(err)
							return
						}
						d.Wake()
						mu.Lock()
						pressed[res.Outbox.OperationID] = t0
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			<-rc.all
			elapsed := time.Since(start)
			b.StopTimer()
			var lat []time.Duration
			rc.mu.Lock()
			for op, t0 := range pressed {
				lat = append(lat, rc.stored[op].Sub(t0))
			}
			rc.mu.Unlock()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
			b.ReportMetric(float64(percentile(lat, 0.50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
		})
	}
}

func openBenchStore(b *testing.B) *store.Store {
	st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// benchCard inserts an ACTIVE card rich enough never to decline.
func benchCard(b *testing.B, st *store.Store) string {
	return storetest.AddCard(b, st, storetest.Card{Holder: "Bench", Last4: "0000", Balance: 100_000_000_000})
}
