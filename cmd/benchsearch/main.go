// Command benchsearch measures the card search and the card page at scale:
// it seeds a fresh database (1,000,000 cards by default), then, in a fresh
// process, serves the real console on a loopback port and sends searches of
// every kind and card pages to it over HTTP with a real client, signed in,
// and prints p50/p95 per kind and what each request had read from the disk
// (the page cache's misses: at scale they, not the code, set the latency),
// beside the same search done as a naive LIKE '%…%' scan in the same run,
// the seed time, and the serving process's memory.
//
//	go run ./cmd/benchsearch [-cards 1000000] [-n 200] [-naive 10] [-db FILE] [-warm]
//
// With -db naming an existing database the seed is skipped. -warm first reads
// what the searches read, once, then the interior pages of every B-tree
// (every lookup passes through them), and opens the pages of 200 other cards, so
// that a database larger than what the page cache kept of it is measured as
// a running server would serve it.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"cardops/cmd/internal/benchstat"
	"cardops/store"
	"cardops/store/seed"
	"cardops/web"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchsearch:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("benchsearch", flag.ContinueOnError)
	cards := fs.Int("cards", 1_000_000, "cards to seed")
	n := fs.Int("n", 200, "requests per kind over HTTP")
	naive := fs.Int("naive", 10, "naive LIKE scans per kind")
	db := fs.String("db", "", "database file (default: a fresh one in a temporary folder, removed afterwards)")
	phase := fs.String("phase", "", "internal: seed or serve, run in a child process")
	only := fs.String("only", "", "measure only the kinds whose name contains this")
	sampleSeed := fs.Uint64("sample", 1, "which random cards to ask for: each value draws others, the same value the same ones (a second run on one sample finds its cards' rows already read)")
	warm := fs.Bool("warm", false, "before measuring, read once what the searches read (cards, their indexes, the name index, the former numbers) and the interior pages of every B-tree, and open the pages of 200 other cards, as the page cache of a server that has been running holds them")
	cpuprofile := fs.String("cpuprofile", "", "write the serving phase's CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch *phase {
	case "seed":
		return seedPhase(ctx, *db, *cards, out)
	case "serve":
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		return servePhase(ctx, *db, *n, *naive, *only, *warm, *sampleSeed, out)
	case "":
	default:
		return fmt.Errorf("unknown phase %q", *phase)
	}

	// Each phase runs in its own process, so the serving process's memory
	// is its own and not the seed's.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "benchsearch-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "bench.db")
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := child(ctx, self, out, "-phase", "seed", "-db", path, "-cards", fmt.Sprint(*cards)); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(out, "seed: skipped, using %s\n", path)
	}
	return child(ctx, self, out, "-phase", "serve", "-db", path, "-n", fmt.Sprint(*n), "-naive", fmt.Sprint(*naive), "-only", *only, "-cpuprofile", *cpuprofile, fmt.Sprintf("-warm=%v", *warm), "-sample", fmt.Sprint(*sampleSeed))
}

func child(ctx context.Context, self string, out io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(args[:2], " "), err)
	}
	return nil
}

func seedPhase(ctx context.Context, path string, cards int, out io.Writer) error {
	st, err := store.OpenWith(ctx, path, store.Options{PANKeyFile: benchstat.KeyFile(path)})
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := seed.Run(ctx, st, seed.Options{Cards: cards})
	if err != nil {
		return err
	}
	size := "n/a"
	if fi, err := os.Stat(path); err == nil {
		size = fmt.Sprintf("%.1f GB", float64(fi.Size())/1e9)
	}
	fmt.Fprintf(out, "seed: %d cards, %d numbers, %d movements, %d tokenizations in %.1f s (name search index included); peak RSS of the seeding process %s; database %s\n",
		sum.Cards, sum.Numbers, sum.Transactions, sum.Tokenizations, sum.Elapsed.Seconds(), procStatus("VmHWM"), size)
	return nil
}

// kind is one measured query kind: the URLs to request and, for each, the
// naive SQL that answers the same question with a LIKE '%…%' scan.
type kind struct {
	name  string
	urls  []string
	want  []string // what each page must show
	naive []naiveQuery
}

type naiveQuery struct {
	sql  string
	args []any
}

// The naive searches do what a first version would: a LIKE '%…%' on the
// column, newest first, one page.
const (
	naiveCards = `SELECT id, card_holder_name, email, last4, status FROM cards WHERE %s ORDER BY created_at DESC LIMIT 51`
	naivePage  = `SELECT c.id, c.card_holder_name, t.id, t.datetime, t.bill_amount_cents FROM cards c JOIN card_transactions t ON t.card_id = c.id
		WHERE c.id LIKE ? ORDER BY t.datetime DESC LIMIT 25`
)

// warmReads read, once each, the table and the indexes the searches and the
// card page look things up in (not the movements, of which a card page reads
// a few).
// warmCardPages is how many card pages of other cards -warm opens.
const warmCardPages = 200

var warmReads = []string{
	`SELECT max(length(card_holder_name)) FROM cards`,
	`SELECT count(*) FROM cards INDEXED BY sqlite_autoindex_cards_1`,
	`SELECT count(*) FROM cards INDEXED BY cards_last4`,
	`SELECT count(*) FROM cards INDEXED BY cards_email`,
	`SELECT count(*) FROM cards INDEXED BY cards_phone_norm`,
	`SELECT count(*) FROM cards INDEXED BY cards_phone_national`,
	`SELECT count(*) FROM card_numbers INDEXED BY card_numbers_former_last4 WHERE inactive_since IS NOT NULL`,
	`SELECT count(*) FROM card_numbers INDEXED BY card_numbers_card`,
	`SELECT sum(length(block)) FROM cards_name_fts_data`,
	`SELECT count(*) FROM card_transactions INDEXED BY card_transactions_card`,
}

func servePhase(ctx context.Context, path string, n, naiveN int, only string, warm bool, sampleSeed uint64, out io.Writer) error {
	// The benchmark measures searches, not sign-in.
	st, err := store.OpenWith(ctx, path, store.Options{BcryptCost: bcrypt.MinCost, PANKeyFile: benchstat.KeyFile(path)})
	if err != nil {
		return err
	}
	defer st.Close()
	const password = "benchmark password"
	if _, err := st.CreateUser(ctx, store.NewUser{Username: "bench", Level: store.LevelReadOnly, Password: password}); err != nil && !errors.Is(err, store.ErrUserExists) {
		return err
	}
	srv, err := web.New(ctx, web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer srv.Close()
	base, stop, err := benchstat.Serve(srv)
	if err != nil {
		return err
	}
	defer stop()
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cookie, err := benchstat.SignIn(ctx, client, base, "bench", password)
	if err != nil {
		return err
	}
	kinds, err := sample(ctx, st.Reader(), n, sampleSeed)
	if err != nil {
		return err
	}
	// get asks for u signed in and returns the body of its 200 answer.
	get := func(u string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+u, nil)
		if err != nil {
			return nil, err
		}
		req.AddCookie(cookie)
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", u, err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s: status %d", u, resp.StatusCode)
		}
		return body, nil
	}
	if warm {
		t0 := time.Now()
		for _, q := range warmReads {
			if err := benchstat.Drain(ctx, st.Reader(), q); err != nil {
				return fmt.Errorf("warm: %w", err)
			}
		}
		fmt.Fprintf(out, "warm: read the cards, their indexes and the name index in %.1f s\n", time.Since(t0).Seconds())
		t0 = time.Now()
		pages, err := benchstat.WarmInterior(ctx, st.Reader(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "warm: read the interior pages of every B-tree (%d pages) in %.1f s\n", pages, time.Since(t0).Seconds())
		// A running server's card pages keep the upper levels of every
		// B-tree they read in the page cache. The pages of other cards
		// bring them in without reading the measured cards' own rows.
		t0 = time.Now()
		others, err := sample(ctx, st.Reader(), warmCardPages, sampleSeed+1<<32)
		if err != nil {
			return err
		}
		for _, k := range others {
			if k.name != "card page" {
				continue
			}
			for _, u := range k.urls {
				if _, err := get(u); err != nil {
					return fmt.Errorf("warm: %w", err)
				}
			}
		}
		fmt.Fprintf(out, "warm: opened the pages of %d other cards in %.1f s\n", warmCardPages, time.Since(t0).Seconds())
	}

	fmt.Fprintf(out, "\n%-16s %9s %9s %9s %9s | %12s %8s\n", "kind (HTTP)", "p50 ms", "p95 ms", "max ms", "disk KiB", "naive p50 ms", "ratio")
	for _, k := range kinds {
		if !strings.Contains(k.name, only) {
			continue
		}
		var lat []time.Duration
		read0, readOK := benchstat.DiskReadBytes()
		for i, u := range k.urls {
			t0 := time.Now()
			body, err := get(u)
			lat = append(lat, time.Since(t0))
			if err != nil {
				return fmt.Errorf("%s %w", k.name, err)
			}
			// Every query is built from a card that exists: it must be found.
			if want := k.want[i]; !strings.Contains(string(body), want) {
				return fmt.Errorf("%s %s: the page does not show %q", k.name, u, want)
			}
		}
		// Read from the disk per request (the page cache's misses).
		disk := "n/a"
		if read1, ok := benchstat.DiskReadBytes(); ok && readOK && len(k.urls) > 0 {
			disk = fmt.Sprintf("%.1f", float64(read1-read0)/1024/float64(len(k.urls)))
		}
		var nl []time.Duration
		for i, q := range k.naive {
			if i >= naiveN {
				break
			}
			t0 := time.Now()
			if err := benchstat.Drain(ctx, st.Reader(), q.sql, q.args...); err != nil {
				return fmt.Errorf("%s naive: %w", k.name, err)
			}
			nl = append(nl, time.Since(t0))
		}
		p50, p95, top := benchstat.Pct(lat, 50), benchstat.Pct(lat, 95), benchstat.Pct(lat, 100)
		np50 := benchstat.Pct(nl, 50)
		fmt.Fprintf(out, "%-16s %9.2f %9.2f %9.2f %9s | %12.1f %7.0fx\n", k.name, benchstat.Ms(p50), benchstat.Ms(p95), benchstat.Ms(top), disk, benchstat.Ms(np50), float64(np50)/float64(p50))
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	rss, hwm := procStatus("VmRSS"), procStatus("VmHWM")
	fmt.Fprintf(out, "\nserver memory after the benchmark: RSS %s (peak %s), Go heap in use %.1f MB, Go sys %.1f MB\n",
		rss, hwm, float64(m.HeapInuse)/1e6, float64(m.Sys)/1e6)
	return nil
}

// sample draws n random cards (and n former numbers) and builds the queries
// of every kind from them.
func sample(ctx context.Context, db *sql.DB, n int, seed uint64) ([]kind, error) {
	var maxRow int64
	if err := db.QueryRowContext(ctx, `SELECT max(rowid) FROM cards`).Scan(&maxRow); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 2))
	type card struct{ id, name, email, dial, phone, last4, bin string }
	var cs []card
	var accented []string
	for len(cs) < n || len(accented) < n {
		var c card
		err := db.QueryRowContext(ctx, `SELECT id, card_holder_name, email, phone_dial_code, phone_number, last4, bin FROM cards WHERE rowid = ?`,
			1+r.Int64N(maxRow)).Scan(&c.id, &c.name, &c.email, &c.dial, &c.phone, &c.last4, &c.bin)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// The name search takes words of 3+ letters: a name of shorter
		// words ("Do Li") has no fragment to ask for.
		if len(cs) < n && utf8.RuneCountInString(longestWord(c.name)) >= 3 {
			cs = append(cs, c)
		}
		// An accented name: a word of the name with a non-ASCII letter,
		// typed as written (accents, and every other one in upper case).
		for _, w := range strings.Fields(c.name) {
			if len(accented) < n && utf8.RuneCountInString(w) >= 4 && strings.ContainsFunc(w, func(r rune) bool { return r > 127 }) {
				if len(accented)%2 == 1 {
					w = strings.ToUpper(w)
				}
				accented = append(accented, w)
				break
			}
		}
	}
	var formers []string
	var maxNum int64
	if err := db.QueryRowContext(ctx, `SELECT max(id) FROM card_numbers`).Scan(&maxNum); err != nil {
		return nil, err
	}
	for len(formers) < n {
		var l4 string
		err := db.QueryRowContext(ctx, `SELECT last4 FROM card_numbers WHERE id >= ? AND inactive_since IS NOT NULL ORDER BY id LIMIT 1`,
			1+r.Int64N(maxNum)).Scan(&l4)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, err
		}
		formers = append(formers, l4)
	}

	search := func(q string) string { return "/cards?q=" + url.QueryEscape(q) }
	like := func(col, v string) naiveQuery {
		return naiveQuery{sql: fmt.Sprintf(naiveCards, col+" LIKE ?"), args: []any{"%" + v + "%"}}
	}
	ks := []kind{{name: "id prefix"}, {name: "last 4"}, {name: "former last 4"}, {name: "name fragment"},
		{name: "accented name"}, {name: "email"}, {name: "phone"}, {name: "card page"}, {name: "BIN"}, {name: "masked number"}}
	for i, c := range cs {
		idp := c.id[:8]
		if strings.Trim(idp, "0123456789") == "" {
			// Eight digits are a phone number's too, and the cards whose
			// numbers start with them may fill the first page: support
			// would type the whole id.
			idp = c.id
		}
		found := `href="/cards/` + c.id + `"`
		ks[0].urls = append(ks[0].urls, search(idp))
		ks[0].want = append(ks[0].want, found)
		ks[0].naive = append(ks[0].naive, like("id", idp))
		ks[1].urls = append(ks[1].urls, search(c.last4))
		ks[1].want = append(ks[1].want, "<mark>"+c.last4+"</mark>")
		ks[1].naive = append(ks[1].naive, like("last4", c.last4))
		f := formers[i]
		ks[2].urls = append(ks[2].urls, search(f))
		ks[2].want = append(ks[2].want, "<mark>"+f+"</mark>")
		ks[2].naive = append(ks[2].naive, naiveQuery{sql: `SELECT c.id, c.card_holder_name FROM cards c WHERE c.last4 LIKE ?1
			OR c.id IN (SELECT card_id FROM card_numbers WHERE last4 LIKE ?1) ORDER BY c.created_at DESC LIMIT 51`, args: []any{"%" + f + "%"}})
		frag := nameFragment(r, c.name)
		ks[3].urls = append(ks[3].urls, search(frag))
		ks[3].want = append(ks[3].want, "<mark>")
		ks[3].naive = append(ks[3].naive, like("card_holder_name", frag))
		ks[4].urls = append(ks[4].urls, search(accented[i]))
		ks[4].want = append(ks[4].want, "<mark>")
		ks[4].naive = append(ks[4].naive, like("card_holder_name", accented[i]))
		ks[5].urls = append(ks[5].urls, search(c.email))
		// An address can be shared (at 10M cards, "camila_garcia@gmail.com"
		// has many): the page must show cards with it, not this one.
		ks[5].want = append(ks[5].want, "<mark>"+c.email+"</mark>")
		ks[5].naive = append(ks[5].naive, like("email", c.email))
		phone := c.dial + " " + groupDigits(c.phone)
		ks[6].urls = append(ks[6].urls, search(phone))
		ks[6].want = append(ks[6].want, found)
		ks[6].naive = append(ks[6].naive, like("phone_norm", store.NormalizePhone(phone)))
		ks[7].urls = append(ks[7].urls, "/cards/"+c.id)
		ks[7].want = append(ks[7].want, c.id)
		ks[7].naive = append(ks[7].naive, naiveQuery{sql: naivePage, args: []any{"%" + c.id + "%"}})
		// A BIN and a masked number each match many cards at 10M (a few
		// hundred share a first 6 and last 4): the page must show cards
		// with them, not this one.
		ks[8].urls = append(ks[8].urls, search(c.bin))
		ks[8].want = append(ks[8].want, "BIN <mark>"+c.bin+"</mark>")
		ks[8].naive = append(ks[8].naive, like("bin", c.bin))
		ks[9].urls = append(ks[9].urls, search(c.bin+"••••••"+c.last4))
		ks[9].want = append(ks[9].want, "<mark>"+c.last4+"</mark>")
		ks[9].naive = append(ks[9].naive, naiveQuery{sql: fmt.Sprintf(naiveCards, "bin LIKE ? AND last4 LIKE ?"), args: []any{"%" + c.bin + "%", "%" + c.last4 + "%"}})
	}
	return ks, nil
}

// nameFragment picks 4 to 6 letters from inside one word of the name, in
// lower case and without its accents, as support would type part of it.
func nameFragment(r *rand.Rand, name string) string {
	w := []rune(longestWord(name))
	if len(w) <= 4 {
		return string(w)
	}
	l := min(len(w), 4+r.IntN(3))
	at := r.IntN(len(w) - l + 1)
	return string(w[at : at+l])
}

// longestWord is the longest word of the name, normalized as the search
// normalizes it.
func longestWord(name string) string {
	words := strings.Fields(store.NormalizeName(name))
	if len(words) == 0 {
		return ""
	}
	slices.SortFunc(words, func(a, b string) int { return len(b) - len(a) })
	return words[0]
}

// groupDigits writes a national number the way people do: "612 34 56 78".
func groupDigits(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (i == 3 || (i > 3 && (i-3)%2 == 0)) {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// procStatus reads a field of /proc/self/status ("VmRSS"), "n/a" elsewhere.
func procStatus(field string) string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}
