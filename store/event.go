package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxRefusals is how many refused deliveries the store keeps; older ones are
// deleted as new ones arrive.
const MaxRefusals = 10_000

// MaxRefusalBody is how much of a refused delivery's body is kept.
const MaxRefusalBody = 4 << 10

// Bounds on the headers kept with a delivery or a refusal: a request may
// carry up to a megabyte of them, and the sender need not be authenticated.
const (
	// MaxKeptHeaders is how many header values (name and value pairs) are kept.
	MaxKeptHeaders = 32
	// MaxKeptHeaderValue is the most bytes of one header value, or name,
	// that are kept; a longer one is cut and says so.
	MaxKeptHeaderValue = 256
	// MaxKeptHeaderBytes bounds the kept names and values together.
	MaxKeptHeaderBytes = 4 << 10
)

// MaxKeptRetries is how many retries of one event keep a row of their own
// (when, from where, the headers); later ones only count in Attempts. A
// provider retries a handful of times; anyone able to resend a delivery
// must not grow the database with it.
const MaxKeptRetries = 100

// HeadersNotKept is the entry BoundHeaders adds when it leaves header values
// out; its value says how many and how large. A received header cannot
// have this name (parentheses are not allowed in one).
const HeadersNotKept = "(not kept)"

// Event is one webhook notification as the receiver stored it. Retries of the
// same notification do not make a second Event: they add to Attempts and to
// Deliveries.
type Event struct {
	ID           int64
	WebhookID    string // the Standard Webhooks webhook-id of the first delivery, if any
	Operation    string
	SubOperation string
	OperationID  string
	Status       string // normalised: SUCCESS, PENDING, CANCELLED, FAILED or another upper-cased value
	StatusRaw    string // as sent
	Reason       string
	CardID       string // data.card_id, if any
	WalletID     string // data.wallet_id, if any
	// Verification is how the first delivery was authenticated, e.g.
	// "standard-webhooks: ok" or "provider-key: ok".
	Verification   string
	ReceivedAt     time.Time // first delivery
	LastReceivedAt time.Time // latest delivery
	Attempts       int

	// Body is the raw body of the first delivery, byte for byte. Listings
	// (Events) leave it nil; Event and commit notifications fill it.
	Body []byte
	// Deliveries are the delivery attempts, oldest first; only Event fills
	// them. Deliveries[0] is the first delivery, whose headers are the
	// event's headers.
	Deliveries []EventDelivery
}

// Headers returns the (redacted) headers of the event's first delivery, or
// nil when the deliveries were not loaded.
func (e Event) Headers() map[string][]string {
	if len(e.Deliveries) == 0 {
		return nil
	}
	return e.Deliveries[0].Headers
}

// EventDelivery is one delivery attempt of an Event.
type EventDelivery struct {
	ID           int64 // 0 for the first delivery, which is kept in the event row
	ReceivedAt   time.Time
	RemoteAddr   string
	Headers      map[string][]string // secrets already redacted by the receiver
	Verification string
	Duplicate    bool   // a retry of an event already stored
	BodySHA256   string // hex; tells whether a retry carried the same bytes
}

// Delivery is an authenticated, parsed delivery for RecordDelivery. The
// receiver redacts Headers before handing them over.
type Delivery struct {
	// ReceivedAt is when it arrived. An event is stored at no earlier time
	// than the newest event before it (see writeBatch).
	ReceivedAt   time.Time
	RemoteAddr   string
	Headers      map[string][]string
	Verification string
	WebhookID    string
	Operation    string
	SubOperation string
	OperationID  string
	Status       string
	StatusRaw    string
	Reason       string
	CardID       string
	WalletID     string
	Body         []byte
}

// DedupeKey is what makes two deliveries the same notification: the
// Standard Webhooks id when there is one, else operation id, sub-operation
// and status.
func (d Delivery) DedupeKey() string {
	if d.WebhookID != "" {
		return "wh:" + d.WebhookID
	}
	return "op:" + d.OperationID + "|" + d.SubOperation + "|" + d.Status
}

// Recorded is what RecordDelivery stored.
type Recorded struct {
	EventID   int64
	Duplicate bool // the event already existed; this was one more attempt
	Attempts  int  // the event's attempts, this one included
	// ReceivedAt is the time stored for this delivery: its own, or the
	// newest event's if that was later (see writeBatch).
	ReceivedAt time.Time
}

// Refusal is a delivery the receiver refused; see RecordRefusal.
type Refusal struct {
	ID         int64
	ReceivedAt time.Time
	RemoteAddr string
	HTTPStatus int
	Code       string
	Reason     string
	Headers    map[string][]string
	Body       []byte // at most MaxRefusalBody bytes
	BodySize   int64  // the size that was received (or read before giving up)
}

// ErrIngestClosed is returned by RecordDelivery and RecordRefusal once the
// store is closing.
var ErrIngestClosed = errors.New("store: event ingest is closed")

// RecordDelivery stores an accepted delivery and returns once it is
// committed (durable, synchronous=FULL). Concurrent calls are committed
// together in one transaction by a single writer goroutine (group commit),
// so each caller waits for one shared commit rather than its own.
//
// A delivery whose DedupeKey is already stored adds an attempt to that event
// instead of a new event. Every delivery, new or retry, is recorded, its
// headers bounded by BoundHeaders and its card data masked (RedactCardData
// on the body, MaskCardNumbers on its ids and headers).
func (s *Store) RecordDelivery(ctx context.Context, d Delivery) (Recorded, error) {
	r, err := newDeliveryReq(&d)
	if err != nil {
		return Recorded{}, fmt.Errorf("store: record delivery %s: %w", d.OperationID, err)
	}
	res, err := s.ingestOne(ctx, r)
	if err != nil {
		return Recorded{}, fmt.Errorf("store: record delivery %s: %w", d.OperationID, err)
	}
	return res.recorded, nil
}

// RecordRefusal stores a refused delivery, its card data masked
// (RedactCardData), truncating its body and
// bounding its headers (BoundHeaders), and keeps only the newest
// MaxRefusals of them.
func (s *Store) RecordRefusal(ctx context.Context, r Refusal) error {
	r.Body = RedactCardData(r.Body)
	if len(r.Body) > MaxRefusalBody {
		r.Body = r.Body[:MaxRefusalBody]
	}
	r.Headers = BoundHeaders(redactHeaderCardData(r.Headers))
	req, err := newRefusalReq(&r)
	if err == nil {
		_, err = s.ingestOne(ctx, req)
	}
	if err != nil {
		return fmt.Errorf("store: record refusal %s: %w", r.Code, err)
	}
	return nil
}

// RecordDeliveries stores ds in one transaction from the caller's goroutine,
// without group commit. It is the "plain batched loop" the load program
// compares the receiver with; the receiver itself uses RecordDelivery. No
// listener is told.
func (s *Store) RecordDeliveries(ctx context.Context, ds []Delivery) ([]Recorded, error) {
	reqs := make([]*ingestReq, len(ds))
	for i := range ds {
		r, err := newDeliveryReq(&ds[i])
		if err != nil {
			return nil, fmt.Errorf("store: record deliveries: %w", err)
		}
		reqs[i] = r
	}
	if err := s.writeBatch(ctx, reqs); err != nil {
		return nil, fmt.Errorf("store: record deliveries: %w", err)
	}
	out := make([]Recorded, len(reqs))
	for i, r := range reqs {
		out[i] = r.res.recorded
	}
	return out, nil
}

// OnEvents registers fn to be called with every batch of newly stored events
// (not retries), in id order, right after their commit. fn runs on the
// single writer goroutine: it must not block. The returned function removes
// fn.
func (s *Store) OnEvents(fn func([]Event)) (remove func()) {
	s.evMu.Lock()
	defer s.evMu.Unlock()
	s.evNext++
	id := s.evNext
	if s.evListeners == nil {
		s.evListeners = map[int]func([]Event){}
	}
	s.evListeners[id] = fn
	return func() {
		s.evMu.Lock()
		defer s.evMu.Unlock()
		delete(s.evListeners, id)
	}
}

// ingestReq is one write waiting for the group commit. Its values are
// encoded by the caller, so the single writer only runs SQL.
type ingestReq struct {
	delivery *Delivery
	refusal  *Refusal
	headers  string // the delivery's or refusal's headers as a JSON object
	body     string // the delivery's body as text
	res      ingestRes
	done     chan struct{}
}

func newDeliveryReq(d *Delivery) (*ingestReq, error) {
	// Card data never reaches the database: everything after this (the
	// row, a retry's body hash, the live rows) sees the masked body, and
	// the ids and words read from it masked too (a sender can put a card
	// number where an id belongs).
	d.Body = RedactCardData(d.Body)
	for _, v := range []*string{&d.WebhookID, &d.Operation, &d.SubOperation, &d.OperationID, &d.Status, &d.StatusRaw, &d.Reason, &d.CardID, &d.WalletID} {
		*v = MaskCardNumbers(*v)
	}
	headers, err := json.Marshal(BoundHeaders(redactHeaderCardData(d.Headers)))
	if err != nil {
		return nil, fmt.Errorf("encode headers: %w", err)
	}
	return &ingestReq{delivery: d, headers: string(headers), body: string(d.Body)}, nil
}

func newRefusalReq(f *Refusal) (*ingestReq, error) {
	headers, err := json.Marshal(f.Headers)
	if err != nil {
		return nil, fmt.Errorf("encode headers: %w", err)
	}
	return &ingestReq{refusal: f, headers: string(headers)}, nil
}

type ingestRes struct {
	recorded Recorded
	err      error
}

// maxBatch bounds one group commit; more waiting requests go in the next.
const maxBatch = 512

// ingester is the single writer goroutine of the group commit.
type ingester struct {
	reqs chan *ingestReq // unbuffered: a send succeeds only into a running writer
	stop chan struct{}
	done chan struct{}
}

func (s *Store) startIngest() *ingester {
	s.ingOnce.Do(func() {
		s.ing = &ingester{reqs: make(chan *ingestReq), stop: make(chan struct{}), done: make(chan struct{})}
		go s.ingestLoop(s.ing)
	})
	return s.ing
}

// stopIngest ends the writer goroutine after its current batch; Close calls it.
func (s *Store) stopIngest() {
	s.ingOnce.Do(func() {}) // a store that never ingested has no writer to stop
	if s.ing == nil {
		return
	}
	s.ingStop.Do(func() { close(s.ing.stop) })
	<-s.ing.done
}

func (s *Store) ingestOne(ctx context.Context, r *ingestReq) (ingestRes, error) {
	ing := s.startIngest()
	r.done = make(chan struct{})
	// The hand-over waits at most the write timeout: a writer held up by a
	// locked database takes no new request, and this one fails with ErrBusy.
	// The writer's own transaction is bounded by the same timeout.
	wctx, cancel := s.writeCtx(ctx)
	defer cancel()
	select {
	case ing.reqs <- r:
	case <-ing.stop:
		return ingestRes{}, ErrIngestClosed
	case <-wctx.Done():
		return ingestRes{}, busy(ctx, wctx, wctx.Err())
	}
	// Once handed over, the write happens whatever the caller's context
	// does, and the writer always answers; waiting here keeps "returned
	// without error" equal to "committed".
	<-r.done
	return r.res, r.res.err
}

func (s *Store) ingestLoop(ing *ingester) {
	defer close(ing.done)
	batch := make([]*ingestReq, 0, maxBatch)
	for {
		select {
		case r := <-ing.reqs:
			batch = append(batch[:0], r)
		case <-ing.stop:
			return
		}
		// Whatever queued up while the previous commit ran goes into this
		// one: no timer, so a lone request is never delayed.
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-ing.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
		clear(batch)
	}
}

// commitBatch writes batch in one transaction, answers every request and
// tells the listeners. If the batch fails, each request is retried alone so
// one bad request cannot fail the others.
func (s *Store) commitBatch(batch []*ingestReq) {
	ctx := context.Background()
	if err := s.writeBatch(ctx, batch); err != nil {
		if len(batch) == 1 || errors.Is(err, ErrBusy) {
			// A locked database fails every request alike; retrying each
			// alone would only multiply the wait.
			for _, r := range batch {
				r.res = ingestRes{err: err}
			}
		} else {
			for _, r := range batch {
				r.res = ingestRes{}
				if err := s.writeBatch(ctx, []*ingestReq{r}); err != nil {
					r.res = ingestRes{err: err}
				}
			}
		}
	}
	fresh := make([]Event, 0, len(batch))
	for _, r := range batch {
		if r.delivery != nil && r.res.err == nil && !r.res.recorded.Duplicate {
			fresh = append(fresh, eventFromDelivery(r.delivery, r.res.recorded))
		}
	}
	if len(fresh) > 0 {
		s.evMu.Lock()
		for _, fn := range s.evListeners {
			fn(fresh)
		}
		s.evMu.Unlock()
	}
	for _, r := range batch {
		close(r.done)
	}
}

func eventFromDelivery(d *Delivery, rec Recorded) Event {
	return Event{
		ID: rec.EventID, WebhookID: d.WebhookID, Operation: d.Operation, SubOperation: d.SubOperation,
		OperationID: d.OperationID, Status: d.Status, StatusRaw: d.StatusRaw, Reason: d.Reason,
		CardID: d.CardID, WalletID: d.WalletID, Verification: d.Verification,
		ReceivedAt: rec.ReceivedAt, LastReceivedAt: rec.ReceivedAt, Attempts: rec.Attempts, Body: d.Body,
	}
}

const (
	// lastReceivedAtSQL is the time of the newest event (0 if none).
	lastReceivedAtSQL = `SELECT coalesce((SELECT received_at FROM webhook_events ORDER BY id DESC LIMIT 1), 0)`
	upsertEventSQL    = `INSERT INTO webhook_events(dedupe_key, webhook_id, operation, sub_operation, operation_id,
		status, status_raw, reason, card_id, wallet_id, body, headers, remote_addr, verification, received_at, last_received_at, attempts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
		ON CONFLICT(dedupe_key) DO UPDATE SET attempts = attempts + 1,
			last_received_at = max(last_received_at, excluded.last_received_at)
		RETURNING id, attempts`
	insertRetrySQL = `INSERT INTO webhook_retries(event_id, received_at, remote_addr, headers, verification, body_sha256)
		VALUES (?, ?, ?, ?, ?, ?)`
	insertRefusalSQL = `INSERT INTO webhook_refusals(received_at, remote_addr, http_status, code, reason, headers, body, body_size)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	upsertMinuteSQL = `INSERT INTO webhook_event_minutes(minute, first_id, last_id) VALUES (?, ?, ?)
		ON CONFLICT(minute) DO UPDATE SET first_id = min(first_id, excluded.first_id), last_id = max(last_id, excluded.last_id)`
	upsertCountSQL = `INSERT INTO webhook_event_counts(minute, operation, sub_operation, status, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET n = n + excluded.n`
	upsertHourlySQL = `INSERT INTO webhook_event_counts_hourly(hour, operation, sub_operation, status, n) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET n = n + excluded.n`
)

// eventCountKey is one row of webhook_event_counts.
type eventCountKey struct {
	minute                          int64
	operation, subOperation, status string
}

// eventText is a row of the text index, encoded as [id, values].
type eventText struct {
	id     int64
	values string
}

func (t eventText) MarshalJSON() ([]byte, error) { return json.Marshal([]any{t.id, t.values}) }

// idSpan is the first and last event id of a minute.
type idSpan struct{ first, last int64 }

// prepared returns q prepared on the writer pool, preparing it on first use.
func (s *Store) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.w.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[q] = st
	return st, nil
}

// writeBatch writes reqs in one transaction and fills in each one's result.
func (s *Store) writeBatch(ctx context.Context, reqs []*ingestReq) error {
	// The statements are prepared once on the single writer connection,
	// outside the transaction (which holds that connection), and bound to
	// each transaction, which reuses the preparation.
	var dbStmts [7]*sql.Stmt
	for i, q := range []string{upsertEventSQL, insertRetrySQL, insertRefusalSQL, upsertMinuteSQL, upsertCountSQL, upsertHourlySQL, lastReceivedAtSQL} {
		st, err := s.prepared(ctx, q)
		if err != nil {
			return err
		}
		dbStmts[i] = st
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var upsert, retry, refusal *sql.Stmt
		// The text index is not written here but by IndexEventText, in
		// larger batches, off the receiver's path.
		// New events are counted per minute here and written once per
		// batch: a handful of rows, not one per event.
		minutes := map[int64]idSpan{}
		counts := map[eventCountKey]int64{}
		stmt := func(p **sql.Stmt, i int) {
			if *p == nil {
				*p = tx.StmtContext(ctx, dbStmts[i])
			}
		}
		var lastRefusal int64
		// An event is never stamped before the one numbered before it
		// (received_at never goes back as ids go up): two deliveries
		// stamped a millisecond apart can reach this batch in either
		// order, and a clock can be set back. So an index in id order
		// is also in time order (the card timeline reads a card's
		// notifications on webhook_events_card, migration 0024).
		var last int64
		if err := tx.StmtContext(ctx, dbStmts[6]).QueryRowContext(ctx).Scan(&last); err != nil {
			return fmt.Errorf("read last event time: %w", err)
		}
		for _, r := range reqs {
			switch {
			case r.delivery != nil:
				stmt(&upsert, 0)
				d := r.delivery
				at := max(d.ReceivedAt.UnixMilli(), last)
				var rec Recorded
				if err := upsert.QueryRowContext(ctx, d.DedupeKey(), d.WebhookID, d.Operation, d.SubOperation, d.OperationID,
					d.Status, d.StatusRaw, d.Reason, d.CardID, d.WalletID, r.body, r.headers, d.RemoteAddr,
					d.Verification, at, at,
				).Scan(&rec.EventID, &rec.Attempts); err != nil {
					return fmt.Errorf("upsert event %s: %w", d.OperationID, err)
				}
				rec.Duplicate = rec.Attempts > 1
				rec.ReceivedAt = time.UnixMilli(at)
				if !rec.Duplicate {
					last = at
					m := at / 60000
					sp, ok := minutes[m]
					if !ok {
						sp = idSpan{rec.EventID, rec.EventID}
					}
					minutes[m] = idSpan{min(sp.first, rec.EventID), max(sp.last, rec.EventID)}
					counts[eventCountKey{m, d.Operation, d.SubOperation, d.Status}]++
				}
				// The first delivery is the event row itself; only retries
				// need a row of their own.
				if rec.Duplicate && rec.Attempts <= 1+MaxKeptRetries {
					stmt(&retry, 1)
					if _, err := retry.ExecContext(ctx, rec.EventID, at, d.RemoteAddr, r.headers, d.Verification,
						bodySHA256(d.Body)); err != nil {
						return fmt.Errorf("insert retry of event %d: %w", rec.EventID, err)
					}
				}
				r.res = ingestRes{recorded: rec}
			case r.refusal != nil:
				stmt(&refusal, 2)
				f := r.refusal
				body := f.Body
				if body == nil {
					body = []byte{}
				}
				res, err := refusal.ExecContext(ctx, f.ReceivedAt.UnixMilli(), f.RemoteAddr, f.HTTPStatus, f.Code, f.Reason,
					r.headers, body, f.BodySize)
				if err != nil {
					return fmt.Errorf("insert refusal: %w", err)
				}
				if lastRefusal, err = res.LastInsertId(); err != nil {
					return err
				}
				r.res = ingestRes{}
			}
		}
		for m, sp := range minutes {
			if _, err := tx.StmtContext(ctx, dbStmts[3]).ExecContext(ctx, m, sp.first, sp.last); err != nil {
				return fmt.Errorf("note minute %d: %w", m, err)
			}
		}
		hourly := map[eventCountKey]int64{}
		for k, n := range counts {
			if _, err := tx.StmtContext(ctx, dbStmts[4]).ExecContext(ctx, k.minute, k.operation, k.subOperation, k.status, n); err != nil {
				return fmt.Errorf("count minute %d: %w", k.minute, err)
			}
			k.minute /= 60
			hourly[k] += n
		}
		for k, n := range hourly {
			if _, err := tx.StmtContext(ctx, dbStmts[5]).ExecContext(ctx, k.minute, k.operation, k.subOperation, k.status, n); err != nil {
				return fmt.Errorf("count hour %d: %w", k.minute, err)
			}
		}
		if lastRefusal > s.refusalsKept {
			if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_refusals WHERE id <= ?`, lastRefusal-s.refusalsKept); err != nil {
				return fmt.Errorf("trim refusals: %w", err)
			}
		}
		return nil
	})
}

// EventFilter narrows an event listing. Zero fields match everything.
// Operation, SubOperation and Status match whole values, ignoring case; Card
// matches the card id or the wallet id, and CardIDs more card ids (either
// matches); Q is text in the raw body (ASCII case ignored) within one of the
// payload's values (PayloadValues), at least MinTextLen characters; From
// and To bound the first delivery's time, inclusive.
type EventFilter struct {
	Operation    string
	SubOperation string
	Status       string
	Card         string
	// CardIDs are card ids an event may name instead of Card, such as the
	// cards a search for what was typed as Card found. Keep it short: each
	// is a term of the query.
	CardIDs  []string
	Q        string
	From, To time.Time

	// BeforeID lists events older than this id, newest first (paging).
	BeforeID int64
	// AfterID lists events newer than this id, oldest first (catching up).
	AfterID int64
	// Ascending lists oldest first even when AfterID is 0 (catching up from
	// the very first event).
	Ascending bool
	// Limit caps the rows; 0 means 50, and it is at most 1000.
	Limit int
}

// addKindConds adds the operation, sub-operation and status conditions,
// on columns of those names (the events and their counts both have them).
func (f EventFilter) addKindConds(c *conditions) {
	if f.Operation != "" {
		c.add("operation = ?", f.Operation)
	}
	if f.SubOperation != "" {
		c.add("sub_operation = ?", f.SubOperation)
	}
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
}

// Match reports whether e passes the filter's conditions (not its paging),
// with the same meaning as the SQL that Events runs. e.Body must be set
// when the filter has Q.
func (f EventFilter) Match(e Event) bool {
	if f.Operation != "" && !strings.EqualFold(f.Operation, e.Operation) {
		return false
	}
	if f.SubOperation != "" && !strings.EqualFold(f.SubOperation, e.SubOperation) {
		return false
	}
	if f.Status != "" && !strings.EqualFold(f.Status, e.Status) {
		return false
	}
	if f.Card != "" || len(f.CardIDs) > 0 {
		named := f.Card != "" && (f.Card == e.CardID || f.Card == e.WalletID)
		if !named && (e.CardID == "" || !slices.Contains(f.CardIDs, e.CardID)) {
			return false
		}
	}
	if !f.From.IsZero() && e.ReceivedAt.UnixMilli() < f.From.UnixMilli() {
		return false
	}
	if !f.To.IsZero() && e.ReceivedAt.UnixMilli() > f.To.UnixMilli() {
		return false
	}
	if f.Q != "" && (!containsFoldASCII(e.Body, f.Q) || !hasTrigrams(PayloadValues(e.Body), f.Q)) {
		return false
	}
	return true
}

// hasTrigrams reports whether every trigram of q is in values, ignoring
// case: what the text index asks of an event before LIKE reads its body.
func hasTrigrams(values, q string) bool {
	values = strings.ToLower(values)
	rs := []rune(strings.ToLower(q))
	for i := 0; i+3 <= len(rs); i++ {
		if !strings.Contains(values, string(rs[i:i+3])) {
			return false
		}
	}
	return true
}

// containsFoldASCII is SQLite's LIKE '%q%': ASCII letters match either case,
// every other byte only itself.
func containsFoldASCII(s []byte, q string) bool {
	n := len(q)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			if lowerASCII(s[i+j]) != lowerASCII(q[j]) {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + ('a' - 'A')
	}
	return b
}

// IsZero reports whether the filter has no conditions (paging aside).
func (f EventFilter) IsZero() bool {
	return f.Operation == "" && f.SubOperation == "" && f.Status == "" && f.Card == "" && len(f.CardIDs) == 0 && f.Q == "" &&
		f.From.IsZero() && f.To.IsZero()
}

const eventColumns = `id, webhook_id, operation, sub_operation, operation_id, status, status_raw, reason,
	card_id, wallet_id, verification, received_at, last_received_at, attempts`

// MinTextLen is the fewest characters a text filter (EventFilter.Q) may
// have: the payload index holds trigrams, so a shorter term has none to
// look up. Events refuses a shorter one with ErrTextTooShort.
const MinTextLen = 3

// ErrTextTooShort is returned by Events for a text filter shorter than
// MinTextLen characters.
var ErrTextTooShort = errors.New("store: text filter shorter than 3 characters")

// Events lists stored events matching f: newest first, or oldest first when
// f.AfterID or f.Ascending is set. Body and Deliveries are left empty.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	q, args, err := eventsQuery(f)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	return out, nil
}

// eventsQuery is the SQL of Events. Whatever the filter, one index whose
// last column is id drives the query, so rows come in id order and the
// LIMIT stops the read (no sort, no scan of the table):
//
//   - card or wallet: one arm per id (card_id, wallet_id and each of
//     CardIDs), each a range of its (card_id, id) or (wallet_id, id) index
//     cut to the LIMIT; the outer query reads the union in id order;
//   - else text: the payload's trigram index, newest candidate first, each
//     checked against the body with LIKE;
//   - else operation and sub-operation, operation, sub-operation or status:
//     their (…, id) index (operation's when there is one);
//   - else the table itself by id.
//
// The other conditions filter the driving rows. A time range also bounds
// the id, through the first and last ids of each minute (exact: the
// receiver never stores an event at an earlier time than the one numbered
// before it, see writeBatch), so a range far in the past does not read the
// newer events first.
func eventsQuery(f EventFilter) (string, []any, error) {
	if f.Q != "" && utf8.RuneCountInString(f.Q) < MinTextLen {
		return "", nil, ErrTextTooShort
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	order := "DESC"
	if f.AfterID > 0 || f.Ascending {
		order = "ASC"
	}
	var cardArms []conditions
	if f.Card != "" {
		var c, w conditions
		c.add("card_id = ? AND card_id <> ''", f.Card)
		w.add("wallet_id = ? AND wallet_id <> ''", f.Card)
		cardArms = append(cardArms, c, w)
	}
	for _, id := range f.CardIDs {
		if id != "" && id != f.Card {
			var c conditions
			c.add("card_id = ? AND card_id <> ''", id)
			cardArms = append(cardArms, c)
		}
	}
	if len(cardArms) == 0 && (f.Card != "" || len(f.CardIDs) > 0) {
		// Only empty card ids: nothing can match.
		var c conditions
		c.add("0")
		return "SELECT " + eventColumns + " FROM webhook_events" + c.where(), nil, nil
	}

	fts := f.Q != "" && len(cardArms) == 0
	// conds are the filter's conditions on rows delivered by key, the id
	// of the driving index; text is the condition of the text filter.
	conds := func(key, text string) conditions {
		var c conditions
		f.addKindConds(&c)
		if f.Q != "" {
			c.add(`webhook_events.body LIKE ? ESCAPE '\'`, likeContains(f.Q))
			switch text {
			case "tail":
				// Events above the text index's mark, read one by one:
				// what the index would have asked, the term's trigrams
				// within the payload's values.
				c.add(textLag(key))
				c.add("cardops_payload_has_trigrams(webhook_events.body, ?)", f.Q)
			case "card":
				// The card's few events are read first; each must still
				// be one the text index finds, or be above its mark.
				c.add(`(CASE WHEN `+textLag("webhook_events.id")+` THEN cardops_payload_has_trigrams(webhook_events.body, ?)
					ELSE EXISTS (SELECT 1 FROM webhook_events_text WHERE webhook_events_text MATCH ?
					AND webhook_events_text.rowid = webhook_events.id) END)`, f.Q, trigramQuery(f.Q))
			}
		}
		// The tail's range starts at the text index's mark, whatever
		// other lower bound there is: the unary + keeps SQLite from
		// taking one of those for the range instead.
		lower := key
		if text == "tail" {
			lower = "+" + key
		}
		if !f.From.IsZero() {
			c.add("received_at >= ?", f.From.UnixMilli())
			c.add(lower+` > coalesce((SELECT last_id FROM webhook_event_minutes
			WHERE minute < ? ORDER BY minute DESC LIMIT 1), 0)`, f.From.UnixMilli()/60000)
		}
		if !f.To.IsZero() {
			c.add("received_at <= ?", f.To.UnixMilli())
			c.add(key+` < coalesce((SELECT first_id FROM webhook_event_minutes
			WHERE minute > ? ORDER BY minute LIMIT 1), 9223372036854775807)`, f.To.UnixMilli()/60000)
		}
		if f.BeforeID > 0 {
			c.add(key+" < ?", f.BeforeID)
		}
		if f.AfterID > 0 {
			c.add(lower+" > ?", f.AfterID)
		}
		return c
	}

	switch {
	case len(cardArms) > 0:
		c := conds("id", "card")
		var arms []string
		var args []any
		for i, arm := range cardArms {
			index := "webhook_events_card"
			if f.Card != "" && i == 1 {
				index = "webhook_events_wallet"
			}
			if len(c.conds) > 0 {
				arm.add(strings.Join(c.conds, " AND "), c.args...)
			}
			arms = append(arms, "SELECT id FROM (SELECT id FROM webhook_events INDEXED BY "+index+arm.where()+
				" ORDER BY id "+order+" LIMIT ?)")
			args = append(append(args, arm.args...), f.Limit)
		}
		return "SELECT " + eventColumns + " FROM webhook_events WHERE id IN (" + strings.Join(arms, " UNION ALL ") +
			") ORDER BY id " + order + " LIMIT ?", append(args, f.Limit), nil
	case fts:
		// Two arms: the events above the text index's mark, a range of
		// ids the indexer keeps short (NOT INDEXED: by id, whatever
		// other index the filter could use), and the index's candidates
		// below it, newest first; each cut to the page.
		tail := conds("id", "tail")
		indexed := conds("webhook_events_text.rowid", "")
		indexed.add("webhook_events_text MATCH ?", trigramQuery(f.Q))
		args := append(append(tail.args, f.Limit), indexed.args...)
		return "SELECT " + eventColumns + " FROM webhook_events WHERE id IN (" +
			"SELECT id FROM (SELECT id FROM webhook_events NOT INDEXED" + tail.where() + " ORDER BY id " + order + " LIMIT ?)" +
			" UNION ALL SELECT id FROM (SELECT webhook_events.id AS id FROM webhook_events_text CROSS JOIN webhook_events ON webhook_events.id = webhook_events_text.rowid" +
			indexed.where() + " ORDER BY webhook_events_text.rowid " + order + " LIMIT ?)" +
			") ORDER BY id " + order + " LIMIT ?", append(args, f.Limit, f.Limit), nil
	}
	c := conds("id", "")
	from := "webhook_events"
	switch {
	case f.Operation != "" && f.SubOperation != "":
		from += " INDEXED BY webhook_events_operation"
	case f.Operation != "":
		from += " INDEXED BY webhook_events_operation_id"
	case f.SubOperation != "":
		from += " INDEXED BY webhook_events_sub_operation"
	case f.Status != "":
		from += " INDEXED BY webhook_events_status"
	}
	return "SELECT " + eventColumns + " FROM " + from + c.where() + " ORDER BY id " + order + " LIMIT ?",
		append(c.args, f.Limit), nil
}

// trigramQuery is the FTS5 query for the rows whose body may hold q: every
// trigram of q (its characters three by three), each a quoted string, all
// of them required. It finds a superset of the bodies holding q (the index
// folds case beyond ASCII and ignores the trigrams' order), which the LIKE
// of eventsQuery then narrows.
func trigramQuery(q string) string {
	rs := []rune(q)
	seen := map[string]bool{}
	var terms []string
	for i := 0; i+3 <= len(rs); i++ {
		t := strings.ToLower(string(rs[i : i+3]))
		if seen[t] {
			continue
		}
		seen[t] = true
		terms = append(terms, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
	}
	return strings.Join(terms, " AND ")
}

// CardEvents lists the newest events whose data names cardID (as card or
// wallet id), newest first, at most limit.
func (s *Store) CardEvents(ctx context.Context, cardID string, limit int) ([]Event, error) {
	if cardID == "" {
		return nil, nil
	}
	return s.Events(ctx, EventFilter{Card: cardID, Limit: limit})
}

// LatestEventID returns the highest event id, 0 when there is none.
func (s *Store) LatestEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT MAX(id) FROM webhook_events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: latest event id: %w", err)
	}
	return id.Int64, nil
}

func scanEvent(row rowScanner, extra ...any) (Event, error) {
	var e Event
	var at, last int64
	dest := append([]any{&e.ID, &e.WebhookID, &e.Operation, &e.SubOperation, &e.OperationID, &e.Status, &e.StatusRaw,
		&e.Reason, &e.CardID, &e.WalletID, &e.Verification, &at, &last, &e.Attempts}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Event{}, err
	}
	e.ReceivedAt, e.LastReceivedAt = time.UnixMilli(at), time.UnixMilli(last)
	return e, nil
}

// Event returns the stored event with its raw body and its delivery
// attempts (oldest first, the first 1,000, with their redacted headers and
// verification), or ErrNotFound. Replay uses it to send the same body again.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	// One snapshot, so the attempt count and the listed retries agree.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Event{}, fmt.Errorf("store: event %d: %w", id, err)
	}
	defer tx.Rollback()
	var body, headers, remote string
	e, err := scanEvent(tx.QueryRowContext(ctx, "SELECT "+eventColumns+", body, headers, remote_addr FROM webhook_events WHERE id = ?", id),
		&body, &headers, &remote)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("store: event %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Event{}, fmt.Errorf("store: event %d: %w", id, err)
	}
	e.Body = []byte(body)
	first := EventDelivery{ReceivedAt: e.ReceivedAt, RemoteAddr: remote, Verification: e.Verification, BodySHA256: bodySHA256(e.Body)}
	if err := json.Unmarshal([]byte(headers), &first.Headers); err != nil {
		return Event{}, fmt.Errorf("store: event %d headers: %w", id, err)
	}
	e.Deliveries = []EventDelivery{first}
	rows, err := tx.QueryContext(ctx, `SELECT id, received_at, remote_addr, headers, verification, body_sha256
		FROM webhook_retries WHERE event_id = ? ORDER BY id LIMIT ?`, id, maxListedDeliveries-1)
	if err != nil {
		return Event{}, fmt.Errorf("store: event %d retries: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		d := EventDelivery{Duplicate: true}
		var at int64
		var headers string
		if err := rows.Scan(&d.ID, &at, &d.RemoteAddr, &headers, &d.Verification, &d.BodySHA256); err != nil {
			return Event{}, fmt.Errorf("store: event %d retries: %w", id, err)
		}
		d.ReceivedAt = time.UnixMilli(at)
		if err := json.Unmarshal([]byte(headers), &d.Headers); err != nil {
			return Event{}, fmt.Errorf("store: event %d retry %d headers: %w", id, d.ID, err)
		}
		e.Deliveries = append(e.Deliveries, d)
	}
	if err := rows.Err(); err != nil {
		return Event{}, fmt.Errorf("store: event %d retries: %w", id, err)
	}
	return e, nil
}

// maxListedDeliveries caps the attempts Event loads; Attempts still counts
// them all.
const maxListedDeliveries = 1000

func bodySHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Refusals lists refused deliveries newest first, older than beforeID when
// it is set, at most limit (0 means 50).
func (s *Store) Refusals(ctx context.Context, beforeID int64, limit int) ([]Refusal, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT id, received_at, remote_addr, http_status, code, reason, headers, body, body_size FROM webhook_refusals`
	args := []any{}
	if beforeID > 0 {
		q += " WHERE id < ?"
		args = append(args, beforeID)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: refusals: %w", err)
	}
	defer rows.Close()
	var out []Refusal
	for rows.Next() {
		var r Refusal
		var at int64
		var headers string
		if err := rows.Scan(&r.ID, &at, &r.RemoteAddr, &r.HTTPStatus, &r.Code, &r.Reason, &headers, &r.Body, &r.BodySize); err != nil {
			return nil, fmt.Errorf("store: refusals: %w", err)
		}
		r.ReceivedAt = time.UnixMilli(at)
		if err := json.Unmarshal([]byte(headers), &r.Headers); err != nil {
			return nil, fmt.Errorf("store: refusal %d headers: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RefusalCount returns how many refused deliveries are kept.
func (s *Store) RefusalCount(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_refusals`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: refusal count: %w", err)
	}
	return n, nil
}

// BoundHeaders returns h when it is within MaxKeptHeaders values,
// MaxKeptHeaderValue bytes per name or value and MaxKeptHeaderBytes in all;
// otherwise a copy within those bounds. The copy cuts long names and
// values on a UTF-8 boundary, marking each cut ("… (cut from N bytes)"),
// keeps the headers that authenticate and describe a delivery before the
// others (the others in name order), and says under HeadersNotKept how
// many values it left out.
func BoundHeaders(h map[string][]string) map[string][]string {
	n, size, long := 0, 0, false
	for k, vs := range h {
		long = long || len(k) > MaxKeptHeaderValue
		for _, v := range vs {
			n++
			size += len(k) + len(v)
			long = long || len(v) > MaxKeptHeaderValue
		}
	}
	if n <= MaxKeptHeaders && size <= MaxKeptHeaderBytes && !long {
		return h
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := keptHeaderRank(names[i]), keptHeaderRank(names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	// Room is left for the HeadersNotKept entry.
	const maxValues, maxBytes = MaxKeptHeaders - 1, MaxKeptHeaderBytes - 64
	out := make(map[string][]string, min(len(h), MaxKeptHeaders))
	kept, keptBytes, dropped, droppedBytes := 0, 0, 0, 0
	for _, k := range names {
		name := cutHeader(k)
		for _, v := range h[k] {
			v2 := cutHeader(v)
			if kept >= maxValues || keptBytes+len(name)+len(v2) > maxBytes {
				dropped++
				droppedBytes += len(k) + len(v)
				continue
			}
			out[name] = append(out[name], v2)
			kept++
			keptBytes += len(name) + len(v2)
		}
	}
	if dropped > 0 {
		out[HeadersNotKept] = []string{fmt.Sprintf("%d more header values (%d bytes)", dropped, droppedBytes)}
	}
	return out
}

// keptHeaderOrder lists the headers BoundHeaders keeps first.
var keptHeaderOrder = map[string]int{
	"Webhook-Id": 1, "Webhook-Timestamp": 2, "Webhook-Signature": 3, "X-Webhook-Key": 4, "X-Request-Timestamp": 5,
	"Content-Type": 6, "Content-Length": 7, "User-Agent": 8, "X-Cardops-Outbox-Id": 9, "X-Cardops-Replay-Of": 10,
	"X-Cardops-Delivery-Mode": 11, "X-Forwarded-For": 12,
}

func keptHeaderRank(name string) int {
	if r, ok := keptHeaderOrder[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return r
	}
	return len(keptHeaderOrder) + 1
}

// cutHeader cuts s to MaxKeptHeaderValue bytes, marker included, on a UTF-8
// boundary.
func cutHeader(s string) string {
	if len(s) <= MaxKeptHeaderValue {
		return s
	}
	mark := fmt.Sprintf("… (cut from %d bytes)", len(s))
	return CutBytes(s, MaxKeptHeaderValue-len(mark)) + mark
}
