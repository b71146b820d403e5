// Command benchevents measures the event log at scale: it fills a fresh
// database with N events (1,000,000 by default) through the receiver's own
// write path (store.RecordDeliveries: the group commit's transaction, so
// the text index, the minute spans and the chart counts are written as the
// receiver writes them), then sends each kind of event-log filter, and the
// chart, through HTTP to the real console handler on 127.0.0.1 (signed in)
// and prints p50/p95 per kind beside the same filter run as the SQL of
// before issue 15 (kept below, with the plans it had then) in the same run.
//
//	go run ./cmd/benchevents [-events 1000000] [-n 40] [-old 3] [-lag 5000] [-db FILE] [-fill-only]
//
// The text index is written as serve writes it: by the store's background
// indexer (store.IndexEventTextLoop) beside the fill, which then catches
// up. Before the queries, -lag more events are stored and left unindexed,
// as the newest events are while the indexer has not passed them yet.
//
// With -db naming an existing database the fill is skipped; with -fill-only
// the program stops after the fill, so a long fill can run outside the
// bench lock and the timed part later (-db FILE again) under it.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"cardops/cmd/internal/benchstat"
	"cardops/store"
	"cardops/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchevents:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("benchevents", flag.ContinueOnError)
	events := fs.Int("events", 1_000_000, "events to fill")
	n := fs.Int("n", 40, "requests per kind through HTTP")
	oldN := fs.Int("old", 3, "runs of the old SQL per kind")
	db := fs.String("db", "", "database file (default: a fresh one in a temporary folder, removed afterwards)")
	fillOnly := fs.Bool("fill-only", false, "stop after the fill (with -db, to time the queries in a later run)")
	lag := fs.Int("lag", 5000, "events stored before the queries and left out of the text index")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "benchevents-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "events.db")
	}
	fresh := false
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fresh = true
	}
	t0 := time.Now()
	// The benchmark measures the event log, not sign-in.
	st, err := store.OpenWith(ctx, path, store.Options{BcryptCost: bcrypt.MinCost, PANKeyFile: benchstat.KeyFile(path)})
	if err != nil {
		return err
	}
	defer st.Close()
	if fresh {
		if err := fill(ctx, st, *events, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "fill: skipped, using %s (opened in %.1f s)\n", path, time.Since(t0).Seconds())
	}
	if fi, err := os.Stat(path); err == nil {
		fmt.Fprintf(out, "database file: %.0f MB (WAL aside)\n", float64(fi.Size())/1e6)
	}
	if *fillOnly {
		return nil
	}
	if err := addLag(ctx, st, *lag, out); err != nil {
		return err
	}
	return serve(ctx, st, *n, *oldN, out)
}

// The synthetic notifications: a realistic mix of operations, statuses,
// cards and merchants. "Harbour Lights Bistro" is rare (1 in 1,000 of the
// card events), "Coffee" common (about 1 in 5).
var (
	ops = []struct {
		op, sub string
		weight  int
	}{
		{"CARDS", "AUTHORIZATION", 40}, {"CARDS", "CLEARING", 30}, {"CARDS", "DECLINED", 5}, {"CARDS", "REFUND", 3},
		{"CARDS", "REVERSAL", 2}, {"VIRTUAL_WALLETS", "DEPOSIT", 8}, {"VIRTUAL_WALLETS", "WITHDRAW", 7},
		{"TREASURY", "TRANSFER", 5},
	}
	statuses = []struct {
		status string
		weight int
	}{{"SUCCESS", 80}, {"PENDING", 10}, {"FAILED", 8}, {"CANCELLED", 2}}
	merchants = []string{"Corner Coffee", "Coffee Republic", "Lisbon Books", "Metro Fuel", "Green Grocer", "Cinema Sol",
		"Pharmacia Central", "Tram 28 Tickets", "Bakery Pão", "Ocean Fish Market"}
	cities = []string{"Lisbon", "Porto", "Madrid", "Paris", "Berlin"}
)

const (
	benchCards   = 50_000
	benchWallets = 10_000
	span         = 89 * 24 * time.Hour // within the default retention
)

func cardID(i int) string   { return fmt.Sprintf("%08x-1d4b-4c55-9a8e-%012x", i*2654435761%(1<<32), i) }
func walletID(i int) string { return fmt.Sprintf("w-%06d", i) }

func weighted[T any](r *rand.Rand, xs []T, w func(T) int) T {
	total := 0
	for _, x := range xs {
		total += w(x)
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n -= w(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// delivery is the i-th of n synthetic notifications, received at an even
// pace over the last 89 days up to now.
func delivery(r *rand.Rand, i, n int, now time.Time) store.Delivery {
	o := weighted(r, ops, func(o struct {
		op, sub string
		weight  int
	}) int {
		return o.weight
	})
	s := weighted(r, statuses, func(s struct {
		status string
		weight int
	}) int {
		return s.weight
	}).status
	at := now.Add(-span + time.Duration(int64(span)/int64(n)*int64(i)))
	opID := "op-" + strconv.Itoa(i)
	d := store.Delivery{ReceivedAt: at, RemoteAddr: "127.0.0.1", Headers: map[string][]string{"Content-Type": {"application/json"}},
		Verification: "standard-webhooks: ok", WebhookID: "msg_" + opID, Operation: o.op, SubOperation: o.sub,
		OperationID: opID, Status: s, StatusRaw: s}
	var data string
	switch o.op {
	case "CARDS":
		d.CardID = cardID(r.IntN(benchCards))
		merchant := merchants[r.IntN(len(merchants))]
		if r.IntN(1000) == 0 {
			merchant = "Harbour Lights Bistro"
		}
		amount := fmt.Sprintf("%d.%02d", r.IntN(200), r.IntN(100))
		data = `{"card_id":"` + d.CardID + `","bill_amount":` + amount + `,"bill_currency_code":"USD","transaction_amount":` + amount +
			`,"transaction_currency_code":"USD","exchange_rate":1,"fees":{"atm_fees":0,"fx_fees":0},"merchant_data":{"id":"m-` +
			strconv.Itoa(r.IntN(5000)) + `","name":"` + merchant + `","city":"` + cities[r.IntN(len(cities))] + `","post_code":"1100"}}`
	default:
		d.WalletID = walletID(r.IntN(benchWallets))
		data = `{"wallet_id":"` + d.WalletID + `","amount":` + strconv.Itoa(r.IntN(100000)) + `,"currency":"USD","reference":"ref-` + strconv.Itoa(i) + `"}`
	}
	d.Body = []byte(`{"operation":"` + o.op + `","sub_operation":"` + o.sub + `","operation_id":"` + opID + `","status":"` + s + `","data":` + data + `}`)
	return d
}

func fill(ctx context.Context, st *store.Store, n int, out io.Writer) error {
	// The text indexer runs beside the fill, as beside the receiver.
	ictx, stopIndex := context.WithCancel(ctx)
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		st.IndexEventTextLoop(ictx, time.Second, 20*time.Millisecond, func(store.Indexed, error) {})
	}()
	defer func() { stopIndex(); <-indexed }()
	r := rand.New(rand.NewPCG(15, 15))
	now := time.Now()
	const batch = 512
	t0 := time.Now()
	last := t0
	for i := 0; i < n; i += batch {
		ds := make([]store.Delivery, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			ds = append(ds, delivery(r, j, n, now))
		}
		if _, err := st.RecordDeliveries(ctx, ds); err != nil {
			return err
		}
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			fmt.Fprintf(out, "fill: %d events, %.0f events/s so far\n", i+len(ds), float64(i+len(ds))/time.Since(t0).Seconds())
		}
	}
	el := time.Since(t0)
	fmt.Fprintf(out, "fill: %d events through store.RecordDeliveries (%d per transaction) in %.1f s = %.0f events/s, text indexer beside it\n",
		n, batch, el.Seconds(), float64(n)/el.Seconds())
	stopIndex()
	<-indexed
	t1 := time.Now()
	left := 0
	for {
		x, err := st.IndexEventText(ctx)
		if err != nil {
			return err
		}
		if x.Events == 0 {
			break
		}
		left += x.Events
	}
	fmt.Fprintf(out, "fill: the text indexer caught up with the last %d events in %.1f s\n", left, time.Since(t1).Seconds())
	return nil
}

// addLag stores n more events, received now, and leaves them out of the
// text index.
func addLag(ctx context.Context, st *store.Store, n int, out io.Writer) error {
	if n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 15))
	now := time.Now()
	prefix := "lag-" + strconv.FormatInt(now.UnixNano(), 36) + "-"
	for i := 0; i < n; i += 512 {
		ds := make([]store.Delivery, 0, 512)
		for j := i; j < min(i+512, n); j++ {
			d := delivery(r, j, n, now)
			d.ReceivedAt = now
			d.OperationID, d.WebhookID = prefix+strconv.Itoa(j), "msg_"+prefix+strconv.Itoa(j)
			ds = append(ds, d)
		}
		if _, err := st.RecordDeliveries(ctx, ds); err != nil {
			return err
		}
	}
	var above int64
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM webhook_events
		WHERE id > (SELECT indexed_to FROM webhook_events_text_mark)`).Scan(&above); err != nil {
		return err
	}
	fmt.Fprintf(out, "text index: %d events above its mark during the queries (-lag)\n", above)
	return nil
}

// kind is one measured filter: the event-log URLs to request and the same
// filters for the old SQL.
type kind struct {
	name    string
	urls    []string
	filters []store.EventFilter
	empty   bool // the filter matches nothing
}

func serve(ctx context.Context, st *store.Store, n, oldN int, out io.Writer) error {
	const password = "benchmark password"
	if _, err := st.CreateUser(ctx, store.NewUser{Username: "bench", Level: store.LevelReadOnly, Password: password}); err != nil && !errors.Is(err, store.ErrUserExists) {
		return err
	}
	srv, err := web.New(ctx, web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer srv.Close()
	ts := httptest.NewServer(srv) // 127.0.0.1, a real listener
	defer ts.Close()
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cookie, err := benchstat.SignIn(ctx, client, ts.URL, "bench", password)
	if err != nil {
		return err
	}
	kinds, err := sample(ctx, st.Reader(), n)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%-24s %8s %8s %8s | %12s %12s %8s\n", "filter (HTTP)", "p50 ms", "p95 ms", "max ms", "old SQL p50", "old SQL max", "p50 ratio")
	for _, k := range kinds {
		var lat []time.Duration
		for _, u := range k.urls {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+u, nil)
			req.AddCookie(cookie)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			lat = append(lat, time.Since(t0))
			if err != nil {
				return err
			}
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s %s: status %d", k.name, u, resp.StatusCode)
			}
			if k.empty && strings.Contains(string(body), "data-operation-id=") {
				return fmt.Errorf("%s %s: rows shown, want none", k.name, u)
			}
		}
		var old []time.Duration
		for i, f := range k.filters {
			if i >= oldN {
				break
			}
			q, args := oldEventsSQL(f)
			t0 := time.Now()
			if err := benchstat.Drain(ctx, st.Reader(), q, args...); err != nil {
				return fmt.Errorf("%s old SQL: %w", k.name, err)
			}
			old = append(old, time.Since(t0))
		}
		p50 := benchstat.Pct(lat, 50)
		if len(old) == 0 {
			fmt.Fprintf(out, "%-24s %8.2f %8.2f %8.2f | %12s %12s %8s\n", k.name, benchstat.Ms(p50), benchstat.Ms(benchstat.Pct(lat, 95)), benchstat.Ms(benchstat.Pct(lat, 100)), "-", "-", "-")
			continue
		}
		fmt.Fprintf(out, "%-24s %8.2f %8.2f %8.2f | %12.1f %12.1f %7.0fx\n", k.name, benchstat.Ms(p50), benchstat.Ms(benchstat.Pct(lat, 95)), benchstat.Ms(benchstat.Pct(lat, 100)),
			benchstat.Ms(benchstat.Pct(old, 50)), benchstat.Ms(benchstat.Pct(old, 100)), float64(benchstat.Pct(old, 50))/float64(p50))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(out, "\nload average at the end: %s", b)
	}
	return nil
}

// sample builds n requests of each kind from stored events.
func sample(ctx context.Context, db *sql.DB, n int) ([]kind, error) {
	var maxID int64
	if err := db.QueryRowContext(ctx, `SELECT max(id) FROM webhook_events`).Scan(&maxID); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	var cards, wallets []string
	var ats []time.Time
	for len(cards) < n || len(wallets) < n {
		var card, wallet string
		var at int64
		err := db.QueryRowContext(ctx, `SELECT card_id, wallet_id, received_at FROM webhook_events WHERE id = ?`, 1+r.Int64N(maxID)).Scan(&card, &wallet, &at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if card != "" && len(cards) < n {
			cards = append(cards, card)
			ats = append(ats, time.UnixMilli(at).UTC())
		}
		if wallet != "" && len(wallets) < n {
			wallets = append(wallets, wallet)
		}
	}
	mk := func(name string, empty bool, build func(i int) (url.Values, store.EventFilter)) kind {
		k := kind{name: name, empty: empty}
		for i := range n {
			v, f := build(i)
			k.urls = append(k.urls, "/events?"+v.Encode())
			k.filters = append(k.filters, f)
		}
		return k
	}
	deep := maxID / 2
	day := func(i int) (string, string, time.Time, time.Time) {
		from := ats[i].Truncate(time.Hour)
		to := from.Add(time.Hour)
		return from.Format("2006-01-02T15:04"), to.Format("2006-01-02T15:04"), from, to.Add(time.Minute - time.Millisecond)
	}
	kinds := []kind{
		mk("no filter", false, func(i int) (url.Values, store.EventFilter) { return url.Values{}, store.EventFilter{} }),
		mk("operation=TREASURY", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"operation": {"TREASURY"}}, store.EventFilter{Operation: "TREASURY"}
		}),
		mk("operation deep page", false, func(i int) (url.Values, store.EventFilter) {
			b := deep - int64(i)*1000
			return url.Values{"operation": {"TREASURY"}, "before": {strconv.FormatInt(b, 10)}}, store.EventFilter{Operation: "TREASURY", BeforeID: b}
		}),
		mk("operation+sub_operation", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"operation": {"CARDS"}, "sub_operation": {"REFUND"}}, store.EventFilter{Operation: "CARDS", SubOperation: "REFUND"}
		}),
		mk("sub_operation", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"sub_operation": {"REVERSAL"}}, store.EventFilter{SubOperation: "REVERSAL"}
		}),
		mk("status=CANCELLED", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"status": {"CANCELLED"}}, store.EventFilter{Status: "CANCELLED"}
		}),
		mk("operation+status", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"operation": {"TREASURY"}, "status": {"FAILED"}}, store.EventFilter{Operation: "TREASURY", Status: "FAILED"}
		}),
		mk("card id", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"card": {cards[i]}}, store.EventFilter{Card: cards[i], CardIDs: nil}
		}),
		mk("wallet id", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"card": {wallets[i]}}, store.EventFilter{Card: wallets[i]}
		}),
		mk("card+status", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"card": {cards[i]}, "status": {"SUCCESS"}}, store.EventFilter{Card: cards[i], Status: "SUCCESS"}
		}),
		mk("time range (1 hour)", false, func(i int) (url.Values, store.EventFilter) {
			fs, ts, from, to := day(i)
			return url.Values{"from": {fs}, "to": {ts}}, store.EventFilter{From: from, To: to}
		}),
		mk("time range+status", false, func(i int) (url.Values, store.EventFilter) {
			fs, ts, from, to := day(i)
			return url.Values{"from": {fs}, "to": {ts}, "status": {"PENDING"}}, store.EventFilter{From: from, To: to, Status: "PENDING"}
		}),
		mk("text, rare", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"q": {"Harbour Lights"}}, store.EventFilter{Q: "Harbour Lights"}
		}),
		mk("text, common", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"q": {"coffee"}}, store.EventFilter{Q: "coffee"}
		}),
		mk("text, absent", true, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"q": {"Zanzibar Quay"}}, store.EventFilter{Q: "Zanzibar Quay"}
		}),
		mk("text+operation", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"q": {"Lisbon Books"}, "status": {"FAILED"}}, store.EventFilter{Q: "Lisbon Books", Status: "FAILED"}
		}),
		mk("card+text", false, func(i int) (url.Values, store.EventFilter) {
			return url.Values{"card": {cards[i]}, "q": {"USD"}}, store.EventFilter{Card: cards[i], Q: "USD"}
		}),
	}
	chart := kind{name: "chart data (operation)"}
	for range n {
		chart.urls = append(chart.urls, "/events/chart?operation=CARDS")
	}
	chartAll := kind{name: "chart data (all)"}
	for range n {
		chartAll.urls = append(chartAll.urls, "/events/chart")
	}
	return append(kinds, chart, chartAll), nil
}

// oldEventsSQL is the SQL store.Events ran before issue 15, with the plan
// SQLite chose for it then (before migration 0017, only the (operation,
// sub_operation, id) index could serve a filter; the card OR could not use
// the partial indexes): INDEXED BY that index when an operation is given,
// else NOT INDEXED, which is what the planner did without the new indexes.
func oldEventsSQL(f store.EventFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.Operation != "" {
		add("operation = ?", f.Operation)
	}
	if f.SubOperation != "" {
		add("sub_operation = ?", f.SubOperation)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	if f.Card != "" || len(f.CardIDs) > 0 {
		var or []string
		var a []any
		if f.Card != "" {
			or, a = append(or, "card_id = ?", "wallet_id = ?"), append(a, f.Card, f.Card)
		}
		if len(f.CardIDs) > 0 {
			or = append(or, "card_id IN ("+strings.Repeat(", ?", len(f.CardIDs))[2:]+")")
			for _, id := range f.CardIDs {
				a = append(a, id)
			}
		}
		add("("+strings.Join(or, " OR ")+")", a...)
	}
	if f.Q != "" {
		add(`body LIKE ? ESCAPE '\'`, "%"+strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Q)+"%")
	}
	if !f.From.IsZero() {
		add("received_at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("received_at <= ?", f.To.UnixMilli())
	}
	if f.BeforeID > 0 {
		add("id < ?", f.BeforeID)
	}
	from := "webhook_events NOT INDEXED"
	if f.Operation != "" {
		from = "webhook_events INDEXED BY webhook_events_operation"
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	return `SELECT id, webhook_id, operation, sub_operation, operation_id, status, status_raw, reason,
	card_id, wallet_id, verification, received_at, last_received_at, attempts FROM ` + from + where + " ORDER BY id DESC LIMIT 51", args
}
