// Command benchapi measures the provider API through HTTP at scale: it seeds
// a database (1,000,000 cards by default), serves the console on a loopback
// port, and with real HTTP clients and API keys measures GET card (level-1
// key), the card list's first page and a deep page, and simulate authorize
// (level-2 key, commit included) sent at a fixed rate, printing p50, p95 and
// max of each. The request log is written for every call, as in production;
// no dispatcher runs, so the outbox only fills.
//
//	go run ./cmd/benchapi [-cards 1000000] [-n 300] [-rate 200] [-seconds 10] [-db FILE]
//
// With -db naming an existing database the seed is skipped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"cardops/cmd/internal/benchstat"
	"cardops/store"
	"cardops/store/seed"
	"cardops/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchapi:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("benchapi", flag.ContinueOnError)
	cards := fs.Int("cards", 1_000_000, "cards to seed")
	n := fs.Int("n", 300, "requests per GET kind")
	rate := fs.Int("rate", 200, "simulate authorize calls per second")
	seconds := fs.Int("seconds", 10, "how long to send simulate authorize calls")
	db := fs.String("db", "", "database file (default: a fresh one in a temporary folder, removed afterwards)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "benchapi-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "bench.db")
	}
	_, statErr := os.Stat(path)
	st, err := store.OpenWith(ctx, path, store.Options{PANKeyFile: benchstat.KeyFile(path)})
	if err != nil {
		return err
	}
	defer st.Close()
	if errors.Is(statErr, os.ErrNotExist) {
		sum, err := seed.Run(ctx, st, seed.Options{Cards: *cards})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "seed: %d cards, %d movements in %.1f s\n", sum.Cards, sum.Transactions, sum.Elapsed.Seconds())
	} else {
		fmt.Fprintf(out, "seed: skipped, using %s\n", path)
	}

	actor := store.Actor{Username: "benchapi", Level: store.LevelAdmin}
	suffix := fmt.Sprint(time.Now().UnixNano())
	_, readKey, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: "bench-read-" + suffix, Level: store.LevelReadOnly, Actor: actor})
	if err != nil {
		return err
	}
	_, opKey, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: "bench-operate-" + suffix, Level: store.LevelOperational, Actor: actor})
	if err != nil {
		return err
	}
	// The rate limit is the provider's 15/s per key by default; the
	// benchmark measures the server, not the limit.
	srv, err := web.New(ctx, web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), APIRate: 1_000_000})
	if err != nil {
		return err
	}
	defer srv.Close()
	base, stop, err := benchstat.Serve(srv)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}

	ids, err := sampleCards(ctx, st, *n)
	if err != nil {
		return err
	}
	var total int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM cards`).Scan(&total); err != nil {
		return err
	}
	var deep string
	if err := st.Reader().QueryRowContext(ctx, `SELECT id FROM cards ORDER BY id LIMIT 1 OFFSET ?`, total*9/10).Scan(&deep); err != nil {
		return err
	}
	get := func(url string) (time.Duration, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+url, nil)
		req.Header.Set("x-api-key", readKey)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d := time.Since(t0)
		if resp.StatusCode != http.StatusOK {
			return d, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
		}
		return d, err
	}
	fmt.Fprintf(out, "\n%d cards; through HTTP on loopback\n%-36s %8s %8s %8s\n", total, "call", "p50 ms", "p95 ms", "max ms")
	kinds := []struct {
		name string
		url  func(i int) string
	}{
		{"GET card (level-1 key)", func(i int) string { return "/api/cards/virtual-cards/" + ids[i%len(ids)] }},
		{"list, first page (size=100)", func(int) string { return "/api/cards/virtual-cards/list?size=100" }},
		{"list, page at 90% (size=100)", func(int) string { return "/api/cards/virtual-cards/list?size=100&after=" + deep }},
		{"list, first page (default 1000)", func(int) string { return "/api/cards/virtual-cards/list" }},
	}
	for _, k := range kinds {
		var lat []time.Duration
		for i := range *n {
			d, err := get(k.url(i))
			if err != nil {
				return err
			}
			lat = append(lat, d)
		}
		report(out, k.name, lat)
	}

	// Simulate authorize, open loop: one call starts every 1/rate s
	// whatever the previous ones are doing.
	var mu sync.Mutex
	var lat []time.Duration
	var failures int
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	calls := *rate * *seconds
	start := time.Now()
	for i := range calls {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"card_id":%q,"bill_amount":1.00}`, ids[i%len(ids)])
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/cards/webhook/simulate/authorize", strings.NewReader(body))
			req.Header.Set("x-api-key", opKey)
			req.Header.Set("Content-Type", "application/json")
			t0 := time.Now()
			resp, err := client.Do(req)
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures++
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				failures++
			}
			lat = append(lat, d)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(out, fmt.Sprintf("simulate authorize at %d/s", *rate), lat)
	fmt.Fprintf(out, "  %d calls in %.1f s (%.0f/s achieved), %d not 201\n", calls, elapsed.Seconds(), float64(calls)/elapsed.Seconds(), failures)
	return nil
}

// sampleCards picks n random card ids.
func sampleCards(ctx context.Context, st *store.Store, n int) ([]string, error) {
	var maxRow int64
	if err := st.Reader().QueryRowContext(ctx, `SELECT max(rowid) FROM cards`).Scan(&maxRow); err != nil {
		return nil, err
	}
	var ids []string
	for len(ids) < n {
		var id string
		err := st.Reader().QueryRowContext(ctx, `SELECT id FROM cards WHERE rowid >= ? LIMIT 1`, rand.Int64N(maxRow)+1).Scan(&id)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func report(out io.Writer, name string, lat []time.Duration) {
	if len(lat) == 0 {
		fmt.Fprintf(out, "%-36s no answers\n", name)
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	fmt.Fprintf(out, "%-36s %8.2f %8.2f %8.2f\n", name, q(0.5), q(0.95), q(1))
}
