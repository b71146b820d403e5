// Package dispatch delivers the outbox: a background dispatcher claims due
// rows from the store, POSTs each notification to the target URL signed
// under the Standard Webhooks scheme or with the provider's key (one of the
// two, never both: the key sent beside a signature would let anyone who saw
// one delivery forge any body with it), records every attempt
// (status, duration, the start of the answer) and schedules retries with
// backoff, honouring Retry-After. Rows stay in the database until delivered,
// so nothing is lost while the receiver is down or the process restarts.
package dispatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"cardops/store"
	"cardops/web/webhook"
)

// Backoff is the wait after failed attempt n (1-based): immediately, 5 s,
// 5 min, 30 min, 2 h, 5 h, then 10 h for every later attempt. A row is never
// given up: it waits at the cap until a receiver takes it.
func Backoff(n int) time.Duration {
	schedule := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour}
	if n >= 1 && n <= len(schedule) {
		return schedule[n-1]
	}
	if n < 1 {
		return 0
	}
	return MaxBackoff
}

// MaxBackoff caps the retry schedule and any Retry-After a receiver asks for.
const MaxBackoff = 10 * time.Hour

// ResponseHeadBytes is how much of each answer's body an attempt keeps.
const ResponseHeadBytes = 512

// Headers the dispatcher adds besides the two authentication schemes.
const (
	HeaderOutboxID = "X-Cardops-Outbox-Id"
	HeaderReplayOf = "X-Cardops-Replay-Of"
	HeaderMode     = "X-Cardops-Delivery-Mode"
)

// Config configures a Dispatcher.
type Config struct {
	Store *store.Store
	// Target is the URL every notification is POSTed to.
	Target string
	// Subscription, if set, is asked before each attempt; when it returns
	// a URL (the provider API's webhook subscription, set at run time), the
	// notification goes there instead of Target, with key, if not empty, as
	// its X-Webhook-Key.
	Subscription func() (url, key string)
	// Timeout bounds one attempt, answer included; default 10 s.
	Timeout time.Duration
	// Workers is how many deliveries run at once; default 32.
	Workers int
	// Client sends the requests; default a keep-alive client sized to Workers.
	Client *http.Client
	Logger *slog.Logger
	// Now is the clock for scheduling; default time.Now.
	Now func() time.Time
	// Poll is the longest the dispatcher sleeps without being woken, so rows
	// written by another process are found too; default 2 s.
	Poll time.Duration
	// Scheme is how a row that names no scheme of its own authenticates:
	// store.SchemeStandard (the default) sends the Standard Webhooks
	// headers only, store.SchemeProvider the provider's X-Webhook-Key and
	// X-Request-Timestamp only. A replay names its own (see
	// store.EnqueueReplay).
	Scheme string
}

// Dispatcher delivers the outbox. Run it once per database.
type Dispatcher struct {
	cfg  Config
	wake chan struct{}

	mu        sync.Mutex
	secrets   store.WebhookSecrets
	secretsAt time.Time
}

// New returns a dispatcher; call Run to start it.
func New(cfg Config) *Dispatcher {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = cfg.Workers * 2
		tr.MaxIdleConnsPerHost = cfg.Workers * 2
		cfg.Client = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if !store.ValidScheme(cfg.Scheme) {
		cfg.Scheme = store.SchemeStandard
	}
	return &Dispatcher{cfg: cfg, wake: make(chan struct{}, 1)}
}

// Target reports the URL the dispatcher delivers to.
func (d *Dispatcher) Target() string {
	t, _ := d.target()
	return t
}

// SetSubscription sets Config.Subscription; call it before Run.
func (d *Dispatcher) SetSubscription(f func() (url, key string)) { d.cfg.Subscription = f }

// target is where the next attempt goes, and the key it carries instead of
// the receiver's ("" for the receiver's).
func (d *Dispatcher) target() (url, key string) {
	if d.cfg.Subscription != nil {
		if u, k := d.cfg.Subscription(); u != "" {
			return u, k
		}
	}
	return d.cfg.Target, ""
}

// Scheme reports how the dispatcher authenticates a row that names no
// scheme of its own.
func (d *Dispatcher) Scheme() string { return d.cfg.Scheme }

// Wake tells the dispatcher that rows were enqueued, so it looks at once
// instead of at its next poll. It never blocks.
func (d *Dispatcher) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is cancelled. Pending rows, those left by an
// earlier process included, are picked up at once. An attempt cut short by
// the shutdown is not recorded: its row stays pending and is sent again after
// the restart (delivery is at least once).
func (d *Dispatcher) Run(ctx context.Context) error {
	capacity := d.cfg.Workers * 8
	jobs := make(chan store.OutboxMessage, capacity)
	results := make(chan store.AttemptResult, capacity)
	// inflight holds the rows handed to workers and not yet recorded, so
	// they are not picked up twice.
	var mu sync.Mutex
	inflight := make(map[int64]bool, capacity)
	release := func(id int64) {
		mu.Lock()
		delete(inflight, id)
		mu.Unlock()
	}

	var workers sync.WaitGroup
	for range d.cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for m := range jobs {
				if res, ok := d.deliver(ctx, m); ok {
					results <- res
				} else {
					release(m.ID)
				}
			}
		}()
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		d.record(results, release)
	}()

	for ctx.Err() == nil {
		mu.Lock()
		free := capacity - len(inflight)
		skip := maps.Clone(inflight)
		mu.Unlock()
		var msgs []store.OutboxMessage
		if free > 0 {
			var err error
			msgs, err = d.cfg.Store.DueOutbox(ctx, d.cfg.Now(), free, skip)
			if err != nil && ctx.Err() == nil {
				d.cfg.Logger.Error("dispatch: due rows", "err", err)
			}
		}
		mu.Lock()
		for _, m := range msgs {
			inflight[m.ID] = true
		}
		mu.Unlock()
		for _, m := range msgs {
			jobs <- m
		}
		if free > 0 && len(msgs) == free {
			continue // more may be due
		}
		for _, m := range msgs {
			skip[m.ID] = true
		}
		d.sleep(ctx, free == 0, skip)
	}
	close(jobs)
	workers.Wait()
	close(results)
	<-recorded
	return nil
}

// sleep waits until the next row is due, a wake-up, the poll interval or the
// end of ctx, whichever comes first. busy means every slot is taken: then
// only a finished delivery (which wakes) can make room.
func (d *Dispatcher) sleep(ctx context.Context, busy bool, skip map[int64]bool) {
	wait := d.cfg.Poll
	if !busy {
		due, ok, err := d.cfg.Store.NextDue(ctx, skip)
		if err == nil && ok {
			wait = min(wait, max(0, due.Sub(d.cfg.Now())))
		}
	}
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-d.wake:
	case <-t.C:
	}
}

// record stores finished attempts in batches, one transaction each, then
// releases their rows. A batch that fails to store is retried, so an attempt
// is not forgotten while the database is busy.
func (d *Dispatcher) record(results <-chan store.AttemptResult, release func(id int64)) {
	batch := make([]store.AttemptResult, 0, 256)
	for first := range results {
		batch = append(batch[:0], first)
	more:
		for len(batch) < cap(batch) {
			select {
			case r, ok := <-results:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		for try := 0; ; try++ {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := d.cfg.Store.RecordAttempts(ctx, batch)
			cancel()
			if err == nil {
				break
			}
			d.cfg.Logger.Error("dispatch: record attempts", "rows", len(batch), "try", try, "err", err)
			if try >= 20 {
				// The rows stay pending and are sent again: at least once.
				break
			}
			time.Sleep(min(time.Duration(try+1)*100*time.Millisecond, 2*time.Second))
		}
		for _, r := range batch {
			release(r.Attempt.OutboxID)
		}
		d.Wake()
	}
}

// currentSecrets returns the receiver's key and secret, read at most every
// two seconds so a rotation reaches the dispatcher quickly.
func (d *Dispatcher) currentSecrets(ctx context.Context) (store.WebhookSecrets, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if time.Since(d.secretsAt) < 2*time.Second && d.secrets.Key != "" {
		return d.secrets, nil
	}
	sec, err := d.cfg.Store.WebhookSecrets(ctx, "", "")
	if err != nil {
		return sec, err
	}
	d.secrets, d.secretsAt = sec, time.Now()
	return sec, nil
}

// deliver makes one attempt. ok is false when the attempt was cut short by
// the dispatcher's shutdown and must not be recorded.
func (d *Dispatcher) deliver(ctx context.Context, m store.OutboxMessage) (res store.AttemptResult, ok bool) {
	start := d.cfg.Now()
	target, subKey := d.target()
	att := store.OutboxAttempt{OutboxID: m.ID, Target: target, StartedAt: start.UnixMilli()}
	res.Attempt = att
	status, head, retryAfter, err := d.post(ctx, m, start, target, subKey)
	if err != nil && ctx.Err() != nil {
		// Cut short by the shutdown: an answer that did come is recorded,
		// anything else is left for the next start.
		return res, false
	}
	end := d.cfg.Now()
	att.DurationMs = end.Sub(start).Milliseconds()
	att.HTTPStatus, att.ResponseHead = status, head
	if err != nil {
		att.Error = err.Error()
	}
	if retryAfter > 0 {
		att.RetryAfterMs = retryAfter.Milliseconds()
	}
	res.Attempt = att
	switch {
	case err == nil && status >= 200 && status < 300:
		res.State = store.OutboxDelivered
	case m.Broken() && status != 0:
		// A deliberately broken delivery is meant to be refused once; it is
		// retried only while no receiver answers at all.
		res.State = store.OutboxRefused
	default:
		res.State = store.OutboxPending
		wait := max(Backoff(m.Attempts+1), min(retryAfter, MaxBackoff))
		res.NextAttemptAt = end.Add(wait).UnixMilli()
	}
	res.NextAttemptAt = max(res.NextAttemptAt, m.NextAttemptAt)
	return res, true
}

// post sends the request and reads the start of the answer.
func (d *Dispatcher) post(ctx context.Context, m store.OutboxMessage, now time.Time, target, subKey string) (status int, head string, retryAfter time.Duration, err error) {
	sec, err := d.currentSecrets(ctx)
	if err != nil {
		return 0, "", 0, fmt.Errorf("read webhook secrets: %w", err)
	}
	key, secret, ts := sec.Key, sec.Secret, now
	switch m.Mode {
	case store.ModeBadKey:
		key, secret = store.NewWebhookKey(), store.NewWebhookSecret()
	case store.ModeStaleTimestamp:
		ts = now.Add(-time.Hour)
	}
	scheme := m.Scheme
	if !store.ValidScheme(scheme) {
		scheme = d.cfg.Scheme
	}
	subscribed := subKey != "" && m.Mode != store.ModeBadKey
	if subscribed {
		// A subscription made through the provider API names the key its
		// receiver checks: the delivery follows the provider's scheme, with
		// that key and no signature (never both: a key beside a signature
		// lets one seen delivery forge any body).
		scheme, key = store.SchemeProvider, subKey
	}
	var sig string
	if scheme == store.SchemeStandard {
		if sig, err = webhook.Sign(secret, m.WebhookID, ts, m.Body); err != nil {
			return 0, "", 0, fmt.Errorf("sign: %w", err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, target, bytes.NewReader(m.Body))
	if err != nil {
		return 0, "", 0, fmt.Errorf("build request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "cardops-dispatcher/1")
	if scheme == store.SchemeStandard {
		h.Set(webhook.HeaderWebhookID, m.WebhookID)
		h.Set(webhook.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
		h.Set(webhook.HeaderWebhookSignature, sig)
	} else {
		h.Set(webhook.HeaderWebhookKey, key)
		h.Set(webhook.HeaderRequestTimestamp, strconv.FormatInt(ts.UnixMilli(), 10))
	}
	h.Set(HeaderOutboxID, strconv.FormatInt(m.ID, 10))
	if m.ReplayOfEvent != "" {
		h.Set(HeaderReplayOf, m.ReplayOfEvent)
	}
	if m.Broken() {
		h.Set(HeaderMode, m.Mode)
	}
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return 0, "", 0, fmt.Errorf("no answer within %s", d.cfg.Timeout)
		}
		return 0, "", 0, err
	}
	defer resp.Body.Close()
	buf := make([]byte, ResponseHeadBytes)
	n, rerr := io.ReadFull(resp.Body, buf)
	// Draining a little more lets the connection be reused.
	io.CopyN(io.Discard, resp.Body, 64<<10)
	// The cut at ResponseHeadBytes may split a character; ToValidUTF8
	// replaces the stub.
	head = strings.ToValidUTF8(string(buf[:n]), "\uFFFD")
	if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
		err = fmt.Errorf("read answer: %w", rerr)
	}
	return resp.StatusCode, head, parseRetryAfter(resp.Header.Get("Retry-After"), now), err
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 when
// absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(MaxBackoff/time.Second) {
			return MaxBackoff
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(0, t.Sub(now)), MaxBackoff)
	}
	return 0
}
