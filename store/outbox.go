package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Outbox row states.
const (
	OutboxPending   = "pending"
	OutboxDelivered = "delivered"
	OutboxRefused   = "refused"
)

// Outbox row sources: what wrote the row.
const (
	SourceSimulate = "simulate"
	SourceEdited   = "edited"
	SourceReplay   = "replay"
	SourceBurst    = "burst"
)

// Delivery modes. Every mode but ModeNormal is deliberately broken, so QA can
// watch the receiver refuse it; such a row is sent once, never retried.
const (
	ModeNormal         = "normal"
	ModeBadKey         = "bad_key"
	ModeStaleTimestamp = "stale_timestamp"
	ModeMalformedJSON  = "malformed_json"
)

// Authentication schemes a delivery goes out with. The dispatcher has a
// default (Standard Webhooks); a row may name one of its own.
const (
	// SchemeStandard sends the Standard Webhooks signature only.
	SchemeStandard = "standard"
	// SchemeProvider sends the provider's key (X-Webhook-Key with
	// X-Request-Timestamp) only.
	SchemeProvider = "provider"
)

// ValidScheme reports whether s is an authentication scheme.
func ValidScheme(s string) bool { return s == SchemeStandard || s == SchemeProvider }

// ValidMode reports whether m is a delivery mode.
func ValidMode(m string) bool {
	switch m {
	case ModeNormal, ModeBadKey, ModeStaleTimestamp, ModeMalformedJSON:
		return true
	}
	return false
}

// SimActor is who asked for a simulation, replay or burst; it goes into the
// audit row written in the same transaction.
type SimActor struct {
	Name       string
	Level      Level
	RemoteAddr string
}

// OutboxMessage is one notification waiting for, or done with, delivery.
type OutboxMessage struct {
	ID            int64
	WebhookID     string
	OperationID   string
	Operation     string
	SubOperation  string
	Status        string
	CardID        string
	WalletID      string
	Body          []byte
	Source        string
	Mode          string
	Scheme        string // how the row authenticates: SchemeStandard, SchemeProvider, or "" for the dispatcher's setting
	ReplayOfEvent string
	BurstID       int64
	Actor         string
	State         string
	Attempts      int
	NextAttemptAt int64
	CreatedAt     int64
	DoneAt        int64
	// LastStatus is the HTTP status of the latest attempt (0 when none, or
	// when it got no answer); listings fill it in.
	LastStatus int
	// LastError is the latest attempt's transport error, if any.
	LastError string
}

// Broken reports whether the message is sent deliberately broken.
func (m OutboxMessage) Broken() bool { return m.Mode != "" && m.Mode != ModeNormal }

// OutboxAttempt is one HTTP delivery attempt of an outbox row.
type OutboxAttempt struct {
	ID           int64
	OutboxID     int64
	N            int
	Target       string
	StartedAt    int64
	DurationMs   int64
	HTTPStatus   int
	Error        string
	ResponseHead string
	// RetryAfterMs is the receiver's Retry-After, in ms, when it sent one.
	RetryAfterMs int64
}

// AttemptResult is an attempt and what follows it: the row is delivered,
// refused (a broken row's single attempt) or retried at NextAttemptAt.
type AttemptResult struct {
	Attempt       OutboxAttempt
	State         string
	NextAttemptAt int64
}

// newWebhookID returns a Standard Webhooks message id.
func newWebhookID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// enqueueTx writes m as a pending row due now, inside the caller's domain
// transaction, and fills in its id, webhook id and times.
func (s *Store) enqueueTx(ctx context.Context, tx *sql.Tx, m *OutboxMessage) error {
	now := s.nowMs()
	if m.WebhookID == "" {
		m.WebhookID = newWebhookID()
	}
	m.State, m.NextAttemptAt, m.CreatedAt = OutboxPending, now, now
	if m.Mode == "" {
		m.Mode = ModeNormal
	}
	var replay, burst any
	if m.ReplayOfEvent != "" {
		replay = m.ReplayOfEvent
	}
	if m.BurstID != 0 {
		burst = m.BurstID
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox(webhook_id, operation_id, operation, sub_operation, status,
		card_id, wallet_id, body, source, mode, scheme, replay_of_event, burst_id, actor, state, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
		m.WebhookID, m.OperationID, m.Operation, m.SubOperation, m.Status, m.CardID, m.WalletID, m.Body,
		m.Source, m.Mode, m.Scheme, replay, burst, m.Actor, now, now)
	if err != nil {
		return fmt.Errorf("enqueue %s/%s: %w", m.Operation, m.SubOperation, err)
	}
	m.ID, err = res.LastInsertId()
	return err
}

const outboxCols = `id, webhook_id, operation_id, operation, sub_operation, status, card_id, wallet_id, body, source, mode, scheme,
	COALESCE(replay_of_event, ''), COALESCE(burst_id, 0), actor, state, attempts, next_attempt_at, created_at, COALESCE(done_at, 0)`

type outboxScanner interface{ Scan(dest ...any) error }

func scanOutbox(sc outboxScanner, m *OutboxMessage) error {
	return sc.Scan(&m.ID, &m.WebhookID, &m.OperationID, &m.Operation, &m.SubOperation, &m.Status, &m.CardID, &m.WalletID,
		&m.Body, &m.Source, &m.Mode, &m.Scheme, &m.ReplayOfEvent, &m.BurstID, &m.Actor, &m.State, &m.Attempts,
		&m.NextAttemptAt, &m.CreatedAt, &m.DoneAt)
}

// DueOutbox returns up to limit pending rows due at now, oldest due first,
// leaving out the rows in skip (the caller's deliveries in flight). It only
// reads: the one dispatcher of a database keeps its in-flight rows in
// memory, so a row it was sending when the process stopped is simply due
// again after the restart (delivery is at least once).
func (s *Store) DueOutbox(ctx context.Context, now time.Time, limit int, skip map[int64]bool) ([]OutboxMessage, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
		now.UnixMilli(), limit+len(skip))
	if err != nil {
		return nil, fmt.Errorf("store: due outbox rows: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() && len(out) < limit {
		var m OutboxMessage
		if err := scanOutbox(rows, &m); err != nil {
			return nil, fmt.Errorf("store: due outbox rows: %w", err)
		}
		if !skip[m.ID] {
			out = append(out, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: due outbox rows: %w", err)
	}
	return out, nil
}

// NextDue reports when the earliest pending row not in skip is due; ok is
// false when there is none.
func (s *Store) NextDue(ctx context.Context, skip map[int64]bool) (due time.Time, ok bool, err error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, next_attempt_at FROM outbox WHERE state = 'pending'
		ORDER BY next_attempt_at, id LIMIT ?`, len(skip)+1)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("store: next due outbox row: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return time.Time{}, false, fmt.Errorf("store: next due outbox row: %w", err)
		}
		if !skip[id] {
			return time.UnixMilli(at), true, nil
		}
	}
	return time.Time{}, false, rows.Err()
}

// RecordAttempts stores a batch of attempts and moves each row on (delivered,
// refused, or due again at its NextAttemptAt), all in one transaction.
func (s *Store) RecordAttempts(ctx context.Context, results []AttemptResult) error {
	if len(results) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A row may be gone while its attempt was on its way (a stopped
		// burst, StopBurst): its attempt is dropped, the others stored.
		ins, err := tx.PrepareContext(ctx, `INSERT INTO outbox_attempts(outbox_id, n, target, started_at, duration_ms,
			http_status, error, response_head, retry_after_ms)
			SELECT id, attempts + 1, ?, ?, ?, ?, ?, ?, ? FROM outbox WHERE id = ?`)
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, `UPDATE outbox SET attempts = attempts + 1, state = ?,
			next_attempt_at = ?, done_at = ? WHERE id = ? AND state = 'pending'`)
		if err != nil {
			return err
		}
		defer upd.Close()
		for _, r := range results {
			a := r.Attempt
			var retryAfter, done any
			if a.RetryAfterMs > 0 {
				retryAfter = a.RetryAfterMs
			}
			if r.State != OutboxPending {
				done = a.StartedAt + a.DurationMs
			}
			if _, err := ins.ExecContext(ctx, a.Target, a.StartedAt, a.DurationMs,
				a.HTTPStatus, a.Error, a.ResponseHead, retryAfter, a.OutboxID); err != nil {
				return fmt.Errorf("attempt on row %d: %w", a.OutboxID, err)
			}
			if _, err := upd.ExecContext(ctx, r.State, r.NextAttemptAt, done, a.OutboxID); err != nil {
				return fmt.Errorf("row %d: %w", a.OutboxID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record delivery attempts: %w", err)
	}
	return nil
}

// OutboxMessage returns one outbox row with its attempts, oldest first. The
// row and its attempts are read from one snapshot, so they always agree
// (the dispatcher records an attempt and moves the row on in one commit).
func (s *Store) OutboxMessage(ctx context.Context, id int64) (OutboxMessage, []OutboxAttempt, error) {
	var m OutboxMessage
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return m, nil, fmt.Errorf("store: outbox row %d: %w", id, err)
	}
	defer tx.Rollback()
	err = scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id), &m)
	if errors.Is(err, sql.ErrNoRows) {
		return m, nil, fmt.Errorf("store: outbox row %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, nil, fmt.Errorf("store: outbox row %d: %w", id, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, outbox_id, n, target, started_at, duration_ms, http_status, error,
		response_head, COALESCE(retry_after_ms, 0) FROM outbox_attempts WHERE outbox_id = ? ORDER BY n`, id)
	if err != nil {
		return m, nil, fmt.Errorf("store: outbox row %d attempts: %w", id, err)
	}
	defer rows.Close()
	var atts []OutboxAttempt
	for rows.Next() {
		var a OutboxAttempt
		if err := rows.Scan(&a.ID, &a.OutboxID, &a.N, &a.Target, &a.StartedAt, &a.DurationMs, &a.HTTPStatus,
			&a.Error, &a.ResponseHead, &a.RetryAfterMs); err != nil {
			return m, nil, fmt.Errorf("store: outbox row %d attempts: %w", id, err)
		}
		atts = append(atts, a)
	}
	if len(atts) > 0 {
		m.LastStatus, m.LastError = atts[len(atts)-1].HTTPStatus, atts[len(atts)-1].Error
	}
	return m, atts, rows.Err()
}

// OutboxFilter narrows an outbox listing; zero fields match everything.
type OutboxFilter struct {
	CardID        string
	ReplayOfEvent string
	// SkipBurst leaves burst rows out, so a burst does not flood a listing.
	SkipBurst bool
	Limit     int
}

// RecentOutbox lists outbox rows newest first, each with its latest
// attempt's status.
func (s *Store) RecentOutbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error) {
	var c conditions
	if f.CardID != "" {
		c.add("card_id = ?", f.CardID)
	}
	if f.ReplayOfEvent != "" {
		c.add("replay_of_event = ?", f.ReplayOfEvent)
	}
	if f.SkipBurst {
		c.add("burst_id IS NULL")
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 20
	}
	q := `SELECT ` + outboxCols + `,
		COALESCE((SELECT http_status FROM outbox_attempts a WHERE a.outbox_id = outbox.id ORDER BY n DESC LIMIT 1), 0),
		COALESCE((SELECT error FROM outbox_attempts a WHERE a.outbox_id = outbox.id ORDER BY n DESC LIMIT 1), '')
		FROM outbox` + c.where() + " ORDER BY id DESC LIMIT ?"
	args := append(c.args, f.Limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: recent outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxMessage
	for rows.Next() {
		var m OutboxMessage
		if err := rows.Scan(&m.ID, &m.WebhookID, &m.OperationID, &m.Operation, &m.SubOperation, &m.Status, &m.CardID,
			&m.WalletID, &m.Body, &m.Source, &m.Mode, &m.Scheme, &m.ReplayOfEvent, &m.BurstID, &m.Actor, &m.State, &m.Attempts,
			&m.NextAttemptAt, &m.CreatedAt, &m.DoneAt, &m.LastStatus, &m.LastError); err != nil {
			return nil, fmt.Errorf("store: recent outbox: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// outboxEnvelopeHead is the part of a notification the outbox indexes.
type outboxEnvelopeHead struct {
	Operation    string `json:"operation"`
	SubOperation string `json:"sub_operation"`
	OperationID  any    `json:"operation_id"`
	Status       string `json:"status"`
	Data         struct {
		CardID   any `json:"card_id"`
		WalletID any `json:"wallet_id"`
	} `json:"data"`
}

func outboxHead(body []byte) (outboxEnvelopeHead, error) {
	var h outboxEnvelopeHead
	err := json.Unmarshal(body, &h)
	return h, err
}

func outboxString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return fmt.Sprint(v)
	}
	return ""
}

// EnqueueReplay delivers a stored notification again: it writes an outbox row
// with rawBody exactly as stored, marked as a replay of the receiver's event
// eventID, and audits the replay in the same transaction. The row has its
// own attempts, and goes out so that the receiver files it as one more
// delivery attempt on the same event rather than as a new event:
//
//   - webhookID is the event's Standard Webhooks id when it came signed:
//     the replay is signed under that same id (as retries of one message
//     are), whatever scheme the dispatcher sends by default;
//   - an event that came with the provider's key only (webhookID "") is
//     filed under its operation_id, sub_operation and status, so its
//     replay goes out with the provider's key only, under the same body.
func (s *Store) EnqueueReplay(ctx context.Context, eventID string, rawBody []byte, webhookID string, by SimActor) (OutboxMessage, error) {
	m := OutboxMessage{Body: rawBody, Source: SourceReplay, ReplayOfEvent: eventID, Actor: by.Name, Mode: ModeNormal,
		WebhookID: webhookID, Scheme: SchemeStandard}
	if webhookID == "" {
		m.Scheme = SchemeProvider
	}
	if eventID == "" {
		return m, simInvalid(FieldErrors{"event": FieldRequired})
	}
	if len(rawBody) == 0 {
		return m, simInvalid(FieldErrors{"event": FieldNoBody})
	}
	// The stored body is sent as it is even if it does not parse (the
	// receiver keeps what it got); the index columns are then left empty.
	if h, err := outboxHead(rawBody); err == nil {
		m.Operation, m.SubOperation, m.Status = h.Operation, h.SubOperation, h.Status
		m.OperationID, m.CardID, m.WalletID = outboxString(h.OperationID), outboxString(h.Data.CardID), outboxString(h.Data.WalletID)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.enqueueTx(ctx, tx, &m); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: by.Name, ActorLevel: by.Level, RemoteAddr: by.RemoteAddr,
			Action: AuditEventReplay, TargetType: "event", TargetID: eventID,
			Detail: fmt.Sprintf("sent again as delivery #%d, operation id %s", m.ID, m.OperationID)})
	})
	if err != nil {
		return m, fmt.Errorf("store: replay event %s: %w", eventID, err)
	}
	return m, nil
}

// MaxEditedBody bounds an edited notification.
const MaxEditedBody = 256 << 10

// EnqueueEdited sends a notification QA wrote or edited, as written, in the
// given delivery mode. It changes no balance. The body must be a JSON object
// unless mode is ModeMalformedJSON, in which case it is sent cut short so the
// receiver refuses it.
func (s *Store) EnqueueEdited(ctx context.Context, body []byte, mode string, by SimActor) (OutboxMessage, error) {
	m := OutboxMessage{Source: SourceEdited, Mode: mode, Actor: by.Name}
	if !ValidMode(mode) {
		return m, simInvalid(FieldErrors{"mode": FieldInvalid})
	}
	if len(body) > MaxEditedBody {
		return m, simInvalid(FieldErrors{"payload": FieldTooLong})
	}
	h, err := outboxHead(body)
	if err != nil {
		refusal := &SimError{Code: SimCodeValidation, Reason: SimPayloadNotJSON, Field: "payload", Detail: err.Error()}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			refusal.Offset = se.Offset
		}
		return m, refusal
	}
	if h.Operation == "" || outboxString(h.OperationID) == "" {
		return m, simInvalid(FieldErrors{"payload": FieldNoOperation})
	}
	// What a person typed is kept and sent with its card data masked, as
	// the receiver would store it: the outbox is in the database too.
	m.Operation, m.SubOperation, m.Status = MaskCardNumbers(h.Operation), MaskCardNumbers(h.SubOperation), MaskCardNumbers(h.Status)
	m.OperationID = MaskCardNumbers(outboxString(h.OperationID))
	m.CardID, m.WalletID = MaskCardNumbers(outboxString(h.Data.CardID)), MaskCardNumbers(outboxString(h.Data.WalletID))
	m.Body = RedactCardData(body)
	if mode == ModeMalformedJSON {
		m.Body = malformedBody(m.Body)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.enqueueTx(ctx, tx, &m); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: by.Name, ActorLevel: by.Level, RemoteAddr: by.RemoteAddr,
			Action: AuditSimulateEdited, TargetType: "outbox", TargetID: fmt.Sprint(m.ID),
			Detail: fmt.Sprintf("%s/%s %s, mode %s, operation_id %s", m.Operation, m.SubOperation, m.Status, mode, m.OperationID)})
	})
	if err != nil {
		return m, fmt.Errorf("store: enqueue edited notification: %w", err)
	}
	return m, nil
}

// malformedBody cuts a JSON body short, so it no longer parses.
func malformedBody(body []byte) []byte {
	n := len(body) - 1
	for n > 0 && body[n] != ',' {
		n--
	}
	if n <= 0 {
		n = len(body) / 2
	}
	return append([]byte(nil), body[:n]...)
}
