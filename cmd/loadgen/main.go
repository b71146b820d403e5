// Command loadgen measures the embedded webhook receiver and the live event
// log over loopback HTTP against the real console handler (in this process,
// on 127.0.0.1, with a fresh SQLite file per phase and the store's usual
// settings: WAL, synchronous=FULL).
//
// Phases, in one run so the figures are side by side:
//
//	raw        the same rows inserted by a plain batched loop (no HTTP), the limit
//	steady     open-loop deliveries at -rate per second; latency from the scheduled send time
//	saturation -conns closed-loop senders as fast as the server answers
//	fanout     -subscribers live streams while -fanout-rate deliveries per second arrive
//
// Every acknowledgement is a committed event: the receiver answers 200 only
// after its group commit.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cardops/cmd/internal/benchstat"
	"cardops/store"
	"cardops/web"
)

const (
	loadKey    = "whk_loadgen_key"
	loadSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	loadUser   = "loadgen"
	loadPass   = "loadgen password 1"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	phases      string
	rate        int
	duration    time.Duration
	conns       int
	rawRows     int
	subscribers int
	fanoutRate  int
	senders     int
	client      string
	indexer     bool
}

func run(args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&o.phases, "phases", "raw,steady,saturation,fanout", "phases to run, comma-separated")
	fs.IntVar(&o.rate, "rate", 5000, "steady phase: deliveries per second")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each timed phase")
	fs.IntVar(&o.senders, "senders", 256, "steady phase: concurrent senders, each on its own connection")
	fs.IntVar(&o.conns, "conns", 64, "saturation phase: concurrent connections")
	fs.IntVar(&o.rawRows, "raw-rows", 50000, "raw phase: rows to insert")
	fs.IntVar(&o.subscribers, "subscribers", 100, "fanout phase: live stream subscribers")
	fs.IntVar(&o.fanoutRate, "fanout-rate", 1000, "fanout phase: deliveries per second")
	fs.StringVar(&o.client, "client", "raw", "how senders speak HTTP: raw (HTTP/1.1 on their own keep-alive connection) or nethttp (net/http client)")
	fs.BoolVar(&o.indexer, "indexer", true, "raw phase: run the text indexer beside the loop, as serve runs it beside the receiver")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *memProfile != "" {
		defer writeHeapProfile(*memProfile)
	}
	if o.client != "raw" && o.client != "nethttp" {
		return fmt.Errorf("-client %q: want raw or nethttp", o.client)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir, err := os.MkdirTemp("", "cardops-loadgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(out, "loadgen: GOMAXPROCS=%s, %s client, database in %s (synchronous=FULL, WAL)\n", gomaxprocs(), o.client, dir)
	var rawRate float64
	for _, phase := range strings.Split(o.phases, ",") {
		db := filepath.Join(dir, phase+".db")
		switch strings.TrimSpace(phase) {
		case "raw":
			if rawRate, err = rawPhase(db, o, out); err != nil {
				return err
			}
		case "steady":
			if err := steadyPhase(db, o, rawRate, out); err != nil {
				return err
			}
		case "saturation":
			if err := saturationPhase(db, o, rawRate, out); err != nil {
				return err
			}
		case "fanout":
			if err := fanoutPhase(db, o, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown phase %q", phase)
		}
	}
	return nil
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
	}
}

func gomaxprocs() string {
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		return v
	}
	return "default"
}

// body is a realistic authorization notification (about 400 bytes). Its
// operation id (UUID-shaped), card, amounts and merchant vary with opID, as
// a program's traffic does: one card for every event would make the card
// indexes appends and the text index's values the same each time, and
// sequential operation ids would make the indexes on them nearly so.
func body(opID string) []byte {
	x := opHash(opID)
	amount := strconv.FormatFloat(float64(x>>16%50000)/100, 'f', -1, 64)
	m := merchants[x>>32%uint64(len(merchants))]
	return []byte(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"` + operationOf(opID) +
		`","status":"PENDING","data":{"card_id":"` + cardOf(opID) + `","bill_amount":` + amount + `,` +
		`"bill_currency_number":"840","bill_currency_code":"USD","transaction_amount":` + amount + `,"transaction_currency_code":"USD",` +
		`"exchange_rate":1,"fees":{"atm_fees":0,"fx_fees":0},"merchant_data":{"id":"m-` + strconv.FormatUint(x>>40%5000, 10) +
		`","name":"` + m[0] + `","city":"` + m[1] + `","post_code":"` + strconv.FormatUint(1000+x>>48%9000, 10) + `","state":""}}}`)
}

func opHash(opID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(opID))
	return h.Sum64()
}

// operationOf is the operation id of opID's notification.
func operationOf(opID string) string { return uuidOf("op-" + opID) }

// cardOf is the card of opID's notification.
func cardOf(opID string) string { return cardPool[opHash(opID)%uint64(len(cardPool))] }

// cardPool is the cards body draws from: 10,000 fixed card ids.
var cardPool = func() []string {
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = uuidOf("card-" + strconv.Itoa(i))
	}
	return ids
}()

// uuidOf is a UUID-shaped id made from s, as the provider's ids are.
func uuidOf(s string) string {
	h := fnv.New128a()
	h.Write([]byte(s))
	b := h.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var merchants = [][2]string{{"Corner Coffee", "Lisbon"}, {"Lisbon Metro", "Lisbon"}, {"Amazon Marketplace", "Luxembourg"},
	{"Uber Trip", "Amsterdam"}, {"Pingo Doce", "Porto"}, {"Netflix", "Los Gatos"}, {"Spotify AB", "Stockholm"},
	{"Booking.com", "Amsterdam"}, {"Ryanair", "Dublin"}, {"Shell Station 42", "Madrid"}, {"Apple Store", "Cork"},
	{"Zara Chiado", "Lisbon"}, {"Farmacia Central", "Coimbra"}, {"McDonalds Rossio", "Lisbon"}, {"Mercadona", "Valencia"}}

// rawPhase inserts rows the receiver would store, in batches of 256, from
// one goroutine: the database's own limit on this machine.
func rawPhase(db string, o options, out io.Writer) (float64, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	var ix *indexer
	if o.indexer {
		ix = startIndexer(st)
	}
	const batch = 256
	headers := map[string][]string{"Content-Type": {"application/json"}, "Webhook-Id": {"msg"}, "X-Webhook-Key": {"[redacted]"}}
	start := time.Now()
	for i := 0; i < o.rawRows; i += batch {
		ds := make([]store.Delivery, 0, batch)
		for j := i; j < min(i+batch, o.rawRows); j++ {
			id := "raw-" + strconv.Itoa(j)
			ds = append(ds, store.Delivery{ReceivedAt: time.Now(), RemoteAddr: "127.0.0.1", Headers: headers,
				Verification: "standard-webhooks: ok", WebhookID: "msg_" + id, Operation: "CARDS", SubOperation: "AUTHORIZATION",
				OperationID: operationOf(id), Status: "PENDING", StatusRaw: "PENDING", CardID: cardOf(id), Body: body(id)})
		}
		if _, err := st.RecordDeliveries(ctx, ds); err != nil {
			return 0, err
		}
	}
	el := time.Since(start)
	rate := float64(o.rawRows) / el.Seconds()
	fmt.Fprintf(out, "raw        plain batched loop (256 rows/tx): %d rows in %s = %.0f rows/s; %s\n", o.rawRows, el.Round(time.Millisecond), rate, ix.stop())
	return rate, nil
}

// indexer runs the store's text indexer beside a phase, as serve does.
type indexer struct {
	st     *store.Store
	cancel func()
	done   chan struct{}
	mu     sync.Mutex
	txs    []time.Duration
	events int
	mark   int64
	once   sync.Once
	said   string
}

func startIndexer(st *store.Store) *indexer {
	ctx, cancel := context.WithCancel(context.Background())
	ix := &indexer{st: st, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(ix.done)
		st.IndexEventTextLoop(ctx, time.Second, 20*time.Millisecond, func(x store.Indexed, err error) {
			if err != nil {
				return
			}
			ix.mu.Lock()
			defer ix.mu.Unlock()
			ix.txs = append(ix.txs, x.Tx)
			ix.events += x.Events
			ix.mark = x.Mark
		})
	}()
	return ix
}

// stop ends the indexer and says what it did: its transactions are what
// a delivery may have waited for besides the group commit.
func (ix *indexer) stop() string {
	if ix == nil {
		return "no text indexer"
	}
	ix.once.Do(func() {
		ix.cancel()
		<-ix.done
		latest, _ := ix.st.LatestEventID(context.Background())
		ix.mu.Lock()
		defer ix.mu.Unlock()
		ix.said = ix.summary(latest)
	})
	return ix.said
}

func (ix *indexer) summary(latest int64) string {
	return fmt.Sprintf("text indexer: %d events in %d transactions (each p50 %s p95 %s max %s), %d events above its mark at the end",
		ix.events, len(ix.txs), pct(ix.txs, 50), pct(ix.txs, 95), pct(ix.txs, 100), latest-ix.mark)
}

// console is the real handler on a loopback listener.
type console struct {
	URL    string
	store  *store.Store
	ix     *indexer
	srv    *web.Server
	http   *http.Server
	client *http.Client // for -client nethttp
	// clientKind is -client: how the senders speak HTTP.
	clientKind string
}

func startConsole(db string, conns int, clientKind string) (*console, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		return nil, err
	}
	if _, err := st.CreateUser(ctx, store.NewUser{Username: loadUser, Level: store.LevelReadOnly, Password: loadPass}); err != nil {
		return nil, err
	}
	// Request logging runs as in production (formatted), written nowhere.
	// The fan-out subscribers read every event of a phase on one stream,
	// more rows than a console page takes before its tail pauses itself.
	srv, err := web.New(ctx, web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		WebhookKey: loadKey, WebhookSecret: loadSecret, LiveRows: math.MaxInt})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, MaxConnsPerHost: conns}
	return &console{URL: "http://" + ln.Addr().String(), store: st, ix: startIndexer(st), srv: srv, http: hs,
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, clientKind: clientKind}, nil
}

func (c *console) stop() {
	c.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.http.Shutdown(ctx)
	c.ix.stop()
	c.store.Close()
}

// openLoop sends rate deliveries per second for d, one goroutine per
// sender; each latency is measured from the delivery's scheduled time, so a
// server that falls behind is charged for the queue it causes.
func openLoop(senders []sender, prefix string, rate int, d time.Duration, sent func(opID string, at time.Time)) (lat []time.Duration, errs int, elapsed time.Duration) {
	type job struct {
		id  string
		due time.Time
	}
	jobs := make(chan job, rate)
	var mu sync.Mutex
	var errCount atomic.Int64
	var wg sync.WaitGroup
	for _, snd := range senders {
		wg.Go(func() {
			var mine []time.Duration
			for j := range jobs {
				if sent != nil {
					sent(j.id, j.due)
				}
				if err := snd.deliver(j.id); err != nil {
					errCount.Add(1)
					continue
				}
				mine = append(mine, time.Since(j.due))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	start := time.Now()
	total := int(float64(rate) * d.Seconds())
	interval := time.Second / time.Duration(rate)
	for i := range total {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		jobs <- job{id: prefix + strconv.Itoa(i), due: due}
	}
	close(jobs)
	wg.Wait()
	return lat, int(errCount.Load()), time.Since(start)
}

// phase is a timed phase's console, its warmed senders, and a count of
// the group commits that stored its events.
type phase struct {
	*console
	senders          []sender
	batches, batched atomic.Int64
	stopCounting     func()
}

// startPhase starts a console on a fresh database and warms n senders.
func startPhase(db string, n int, clientKind string) (*phase, error) {
	c, err := startConsole(db, n, clientKind)
	if err != nil {
		return nil, err
	}
	p := &phase{console: c, senders: warm(c, n)}
	p.stopCounting = c.store.OnEvents(func(evs []store.Event) { p.batches.Add(1); p.batched.Add(int64(len(evs))) })
	return p, nil
}

func (p *phase) close() {
	p.stopCounting()
	closeAll(p.senders)
	p.console.stop()
}

// commits says how many group commits stored the phase's events.
func (p *phase) commits() string {
	n := p.batches.Load()
	return fmt.Sprintf("%d commits, %.1f events per commit", n, float64(p.batched.Load())/float64(max(n, 1)))
}

func steadyPhase(db string, o options, rawRate float64, out io.Writer) error {
	p, err := startPhase(db, o.senders, o.client)
	if err != nil {
		return err
	}
	defer p.close()
	lat, errs, el := openLoop(p.senders, "steady-", o.rate, o.duration, nil)
	rate := float64(len(lat)) / el.Seconds()
	fmt.Fprintf(out, "steady     target %d/s for %s: accepted %d (%.0f/s), errors %d; ack latency p50 %s p99 %s p99.9 %s max %s; ingest/raw %.2f; %s\n",
		o.rate, o.duration, len(lat), rate, errs, pct(lat, 50), pct(lat, 99), pct(lat, 99.9), pct(lat, 100), ratio(rate, rawRate), p.commits())
	return nil
}

func saturationPhase(db string, o options, rawRate float64, out io.Writer) error {
	p, err := startPhase(db, o.conns, o.client)
	if err != nil {
		return err
	}
	defer p.close()
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	var wg sync.WaitGroup
	end := time.Now().Add(o.duration)
	start := time.Now()
	for w, snd := range p.senders {
		wg.Go(func() {
			var mine []time.Duration
			for i := 0; time.Now().Before(end); i++ {
				t0 := time.Now()
				if err := snd.deliver(fmt.Sprintf("sat-%d-%d", w, i)); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	el := time.Since(start)
	rate := float64(len(lat)) / el.Seconds()
	fmt.Fprintf(out, "saturation %d connections for %s: accepted %d (%.0f/s), errors %d; ack latency p50 %s p99 %s; ingest/raw %.2f; %s; %s\n",
		o.conns, o.duration, len(lat), rate, errs.Load(), pct(lat, 50), pct(lat, 99), ratio(rate, rawRate), p.commits(), p.ix.stop())
	return nil
}

// warm returns n senders for a phase, each of which has delivered a few
// notifications: the connections are open and the database paged in before
// the clock starts, so a phase measures the steady state, not set-up.
func warm(c *console, n int) []sender {
	senders := make([]sender, n)
	var wg sync.WaitGroup
	for w := range senders {
		senders[w] = c.newSender()
		wg.Go(func() {
			for i := range 5 {
				senders[w].deliver(fmt.Sprintf("warm-%d-%d", w, i))
			}
		})
	}
	wg.Wait()
	return senders
}

func closeAll(senders []sender) {
	for _, s := range senders {
		s.close()
	}
}

func fanoutPhase(db string, o options, out io.Writer) error {
	p, err := startPhase(db, 64, o.client)
	if err != nil {
		return err
	}
	defer p.close()
	c := p.console
	cookie, err := benchstat.SignIn(context.Background(), http.DefaultClient, c.URL, loadUser, loadPass)
	if err != nil {
		return err
	}
	// The fan-out ids are "fan-N": per N, the scheduled send time, and per
	// subscriber whether N arrived (flat slices, so the load generator's
	// own bookkeeping stays small beside the server's memory).
	total := int(float64(o.fanoutRate) * o.duration.Seconds())
	sentAt := make([]atomic.Int64, total)
	// A row names the operation id body made of "fan-N".
	fanOf := make(map[string]int, total)
	for n := range total {
		fanOf[operationOf("fan-"+strconv.Itoa(n))] = n
	}
	type subResult struct {
		lat     []time.Duration // from the scheduled send
		arrival []time.Duration // from the receiver's arrival time (ms resolution)
		seen    []bool
		count   atomic.Int64
		dups    int
	}
	results := make([]*subResult, o.subscribers)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var connected sync.WaitGroup
	streamClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.subscribers, MaxConnsPerHost: 0}}
	for i := range o.subscribers {
		res := &subResult{seen: make([]bool, total), lat: make([]time.Duration, 0, total)}
		results[i] = res
		connected.Add(1)
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.URL+"/events/stream", nil)
			req.AddCookie(cookie)
			resp, err := streamClient.Do(req)
			connected.Done()
			if err != nil {
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			marker := []byte(`data-operation-id="`)
			receivedMarker := []byte(`data-received-ms="`)
			for sc.Scan() {
				line := sc.Bytes()
				k := bytes.Index(line, marker)
				if k < 0 {
					continue
				}
				rest := line[k+len(marker):]
				n, ok := fanOf[string(rest[:max(bytes.IndexByte(rest, '"'), 0)])]
				if !ok {
					continue
				}
				at := sentAt[n].Load()
				if at == 0 {
					continue
				}
				now := time.Now()
				res.lat = append(res.lat, now.Sub(time.Unix(0, at)))
				// The row carries the receiver's arrival time (ms).
				if j := bytes.Index(line, receivedMarker); j >= 0 {
					r := line[j+len(receivedMarker):]
					if ms, err := strconv.ParseInt(string(r[:bytes.IndexByte(r, '"')]), 10, 64); err == nil {
						res.arrival = append(res.arrival, now.Sub(time.UnixMilli(ms)))
					}
				}
				if res.seen[n] {
					res.dups++
				}
				res.seen[n] = true
				res.count.Add(1)
			}
		})
	}
	connected.Wait()
	time.Sleep(200 * time.Millisecond) // every stream subscribed
	lat, errs, el := openLoop(p.senders, "fan-", o.fanoutRate, o.duration, func(id string, at time.Time) {
		if n, err := strconv.Atoi(strings.TrimPrefix(id, "fan-")); err == nil && n < total {
			sentAt[n].Store(at.UnixNano())
		}
	})
	accepted := len(lat)
	// Wait for the streams to drain.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		done := true
		for _, r := range results {
			if r.count.Load() < int64(accepted) {
				done = false
				break
			}
		}
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	rss, hwm := memStatus()
	cancel()
	wg.Wait()
	var all, arrival []time.Duration
	missing, dups := 0, 0
	for _, r := range results {
		all = append(all, r.lat...)
		arrival = append(arrival, r.arrival...)
		got := 0
		for _, ok := range r.seen {
			if ok {
				got++
			}
		}
		missing += max(0, accepted-got)
		dups += r.dups
	}
	fmt.Fprintf(out, "fanout     %d subscribers, %d/s for %s: accepted %d (%.0f/s, errors %d), delivered %d of %d to subscribers (missing %d, duplicates %d); "+
		"arrival-to-subscriber p50 %s p99 %s max %s; send-to-subscriber p50 %s p99 %s (ack alone p50 %s p99 %s); process RSS %s (peak %s, load generator included)\n",
		o.subscribers, o.fanoutRate, o.duration, accepted, float64(accepted)/el.Seconds(), errs, len(all), accepted*o.subscribers, missing, dups,
		pct(arrival, 50), pct(arrival, 99), pct(arrival, 100), pct(all, 50), pct(all, 99), pct(lat, 50), pct(lat, 99), rss, hwm)
	return nil
}

// memStatus reads this process's resident set size and its peak.
func memStatus() (rss, peak string) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?", "?"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = strings.TrimSpace(v)
		}
	}
	return rss, peak
}

// pct returns the p-th percentile of ds (nearest rank).
func pct(ds []time.Duration, p float64) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	i = min(max(i, 0), len(s)-1)
	return s[i].Round(10 * time.Microsecond).String()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
