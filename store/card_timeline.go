package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// TimelineKind is the kind of one line of a card's timeline.
type TimelineKind string

// The kinds of a card's timeline, as the filter chips name them.
const (
	TimelineMovement     TimelineKind = "movement"     // a card transaction (an authorization with what followed it)
	TimelineNotification TimelineKind = "notification" // a webhook notification received about the card
	TimelineReissue      TimelineKind = "reissue"      // a reissue request and its outcome
	TimelineStatus       TimelineKind = "status"       // a freeze or unfreeze
	TimelineSimulation   TimelineKind = "simulation"   // a notification the sandbox sent
	TimelineReplay       TimelineKind = "replay"       // an event delivered again
	TimelineAPI          TimelineKind = "api"          // a call of the provider API that names the card
	TimelineAudit        TimelineKind = "audit"        // an audit row about the card
)

// TimelineKinds lists every kind in the order the chips show them.
var TimelineKinds = []TimelineKind{TimelineMovement, TimelineNotification, TimelineReissue, TimelineStatus,
	TimelineSimulation, TimelineReplay, TimelineAPI, TimelineAudit}

// Valid reports whether k is a timeline kind.
func (k TimelineKind) Valid() bool {
	for _, x := range TimelineKinds {
		if x == k {
			return true
		}
	}
	return false
}

// TimelineFilter chooses the kinds a timeline shows; no kind is every kind.
type TimelineFilter struct {
	Kinds []TimelineKind
	// Without are kinds never shown, whatever Kinds says: those the
	// reader may not see (API calls, below the request log's level).
	Without []TimelineKind
}

// Has reports whether the filter shows kind k.
func (f TimelineFilter) Has(k TimelineKind) bool {
	for _, x := range f.Without {
		if x == k {
			return false
		}
	}
	if len(f.Kinds) == 0 {
		return true
	}
	for _, x := range f.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// TimelineCursor is a place in a card's timeline: the timeline is ordered by
// (At, Kind, ID) newest first, so a page that starts after a cursor stays
// the same while newer entries arrive. The zero cursor is the newest end.
type TimelineCursor struct {
	At   int64 // Unix ms
	Kind TimelineKind
	ID   string
	// Inclusive makes the page start at the cursor's own entry (a ?at= link)
	// rather than just after it.
	Inclusive bool
}

// IsZero reports whether the cursor is the newest end.
func (c TimelineCursor) IsZero() bool { return c.At == 0 && c.Kind == "" && c.ID == "" }

// Param encodes the cursor for a URL: "at.kind.id".
func (c TimelineCursor) Param() string {
	return strconv.FormatInt(c.At, 10) + "." + string(c.Kind) + "." + c.ID
}

// ParseTimelineCursor reads TimelineCursor.Param; ok is false for anything
// else.
func ParseTimelineCursor(s string) (c TimelineCursor, ok bool) {
	at, rest, ok1 := strings.Cut(s, ".")
	kind, id, ok2 := strings.Cut(rest, ".")
	n, err := strconv.ParseInt(at, 10, 64)
	c = TimelineCursor{At: n, Kind: TimelineKind(kind), ID: id}
	if !ok1 || !ok2 || err != nil || n <= 0 || !c.Kind.Valid() || !timelineIDOK(c.Kind, id) {
		return TimelineCursor{}, false
	}
	return c, true
}

// TimelineKey names one entry for a ?at= link: "kind-id".
func TimelineKey(k TimelineKind, id string) string { return string(k) + "-" + id }

// ParseTimelineKey reads TimelineKey.
func ParseTimelineKey(s string) (TimelineKind, string, bool) {
	k, id, ok := strings.Cut(s, "-")
	if !ok || !TimelineKind(k).Valid() || !timelineIDOK(TimelineKind(k), id) {
		return "", "", false
	}
	return TimelineKind(k), id, true
}

// timelineIDOK reports whether id can be an id of kind k: a positive number
// for the kinds with integer ids, else letters, digits, '-' and '_'.
func timelineIDOK(k TimelineKind, id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	if timelineIntID(k) {
		n, err := strconv.ParseInt(id, 10, 64)
		return err == nil && n > 0
	}
	for _, r := range id {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func timelineIntID(k TimelineKind) bool {
	return k != TimelineMovement && k != TimelineReissue
}

// TimelineEntry is one line of a card's timeline. Exactly one of the
// pointers is set, by Kind.
type TimelineEntry struct {
	Kind TimelineKind
	ID   string
	At   int64 // Unix ms

	// Movement, for TimelineMovement; Followers are the movements that
	// followed it (its clearing, refunds, reversal), oldest first, and
	// Notifications the notifications received about it and about each
	// follower, oldest first; Sent are the sandbox's deliveries of them.
	Movement      *Movement
	Followers     []Movement
	Notifications []Event
	Sent          []OutboxMessage

	Event   *Event            // TimelineNotification
	Reissue *ReissueRequest   // TimelineReissue (Card not filled)
	Status  *CardStatusChange // TimelineStatus
	Outbox  *OutboxMessage    // TimelineSimulation, TimelineReplay
	Audit   *AuditEntry       // TimelineAudit
	API     *APIRequest       // TimelineAPI (bodies not filled)
}

// Key is the entry's TimelineKey.
func (e TimelineEntry) Key() string { return TimelineKey(e.Kind, e.ID) }

// Cursor is the entry's place in the timeline.
func (e TimelineEntry) Cursor() TimelineCursor {
	return TimelineCursor{At: e.At, Kind: e.Kind, ID: e.ID}
}

// timelineBefore reports whether a comes before (is newer than) b.
func timelineBefore(a, b TimelineCursor) bool {
	if a.At != b.At {
		return a.At > b.At
	}
	if a.Kind != b.Kind {
		return a.Kind > b.Kind
	}
	if timelineIntID(a.Kind) {
		x, _ := strconv.ParseInt(a.ID, 10, 64)
		y, _ := strconv.ParseInt(b.ID, 10, 64)
		return x > y
	}
	return a.ID > b.ID
}

// MaxTimelinePage is the most entries CardTimeline returns at once.
const MaxTimelinePage = 200

// timelineSource is one kind's query: the rows of the card, newest first by
// (at, id), on an index that starts with the card and the time.
type timelineSource struct {
	kind  TimelineKind
	cols  string // selected columns, scanned by scan
	from  string // FROM ... WHERE <the card's rows>, with one ? for the card
	at    string // the time column
	id    string // the id column
	extra string // further conditions
	scan  func(rowScanner) (TimelineEntry, error)
	// inIDOrder says the rows are events, whose id order is their time
	// order (the receiver never stamps an event before the one numbered
	// before it), so they are read on the card's (card_id, id) index.
	inIDOrder bool
}

// timelineSources are the per-kind queries. fold says whether notifications
// and deliveries about a movement are left out of the top level (they show
// inside the movement's line).
func timelineSources(fold bool) []timelineSource {
	foldCond := func(col string) string {
		if !fold {
			return ""
		}
		return ` AND NOT EXISTS (SELECT 1 FROM card_transactions t WHERE t.source_operation_id = ` + col +
			` AND t.source_operation_id <> '')`
	}
	return []timelineSource{
		{kind: TimelineMovement, cols: movementCols, from: `FROM card_transactions WHERE card_id = ?`,
			at: "datetime", id: "id", extra: ` AND parent_id IS NULL`,
			scan: func(r rowScanner) (TimelineEntry, error) {
				m, err := scanMovement(r)
				return TimelineEntry{Kind: TimelineMovement, ID: m.ID, At: m.Datetime, Movement: &m}, err
			}},
		{kind: TimelineNotification, cols: eventCols, from: `FROM webhook_events e WHERE e.card_id = ? AND e.card_id <> ''`,
			at: "e.received_at", id: "e.id", extra: foldCond("e.operation_id"), inIDOrder: true,
			scan: func(r rowScanner) (TimelineEntry, error) {
				ev, err := scanEvent(r)
				return TimelineEntry{Kind: TimelineNotification, ID: strconv.FormatInt(ev.ID, 10), At: ev.ReceivedAt.UnixMilli(), Event: &ev}, err
			}},
		{kind: TimelineReissue, cols: `id, status, expires_at, created_at, COALESCE(decided_at, 0), maker, reason, note,
			checker, decision_note, old_last4, new_last4, four_eyes`, from: `FROM reissue_requests WHERE card_id = ?`,
			at: "created_at", id: "id",
			scan: func(r rowScanner) (TimelineEntry, error) {
				var q ReissueRequest
				var exp, created, decided int64
				err := r.Scan(&q.ID, &q.Status, &exp, &created, &decided, &q.Maker, &q.Reason, &q.Note,
					&q.Checker, &q.DecisionNote, &q.OldLast4, &q.NewLast4, &q.FourEyes)
				q.ExpiresAt, q.CreatedAt = time.UnixMilli(exp), time.UnixMilli(created)
				if decided > 0 {
					q.DecidedAt = time.UnixMilli(decided)
				}
				return TimelineEntry{Kind: TimelineReissue, ID: q.ID, At: created, Reissue: &q}, err
			}},
		{kind: TimelineStatus, cols: statusChangeCols, from: `FROM card_status_history WHERE card_id = ?`,
			at: "at", id: "id",
			scan: func(r rowScanner) (TimelineEntry, error) {
				c, err := scanStatusChange(r)
				return TimelineEntry{Kind: TimelineStatus, ID: strconv.FormatInt(c.ID, 10), At: c.At, Status: &c}, err
			}},
		{kind: TimelineSimulation, cols: timelineOutboxCols, from: `FROM outbox o WHERE o.card_id = ?`,
			at: "o.created_at", id: "o.id", extra: ` AND o.source <> 'replay'` + foldCond("o.operation_id"),
			scan: scanTimelineOutbox(TimelineSimulation)},
		{kind: TimelineReplay, cols: timelineOutboxCols, from: `FROM outbox o WHERE o.card_id = ?`,
			at: "o.created_at", id: "o.id", extra: ` AND o.source = 'replay'`,
			scan: scanTimelineOutbox(TimelineReplay)},
		{kind: TimelineAudit, cols: `id, at, actor, actor_level, remote_addr, action, target_type, target_id, result, detail`,
			from: `FROM audit_log WHERE target_type = 'card' AND target_id = ?`, at: "at", id: "id",
			scan: func(r rowScanner) (TimelineEntry, error) {
				var e AuditEntry
				var at int64
				var level int
				err := r.Scan(&e.ID, &at, &e.Actor, &level, &e.RemoteAddr, &e.Action, &e.TargetType, &e.TargetID, &e.Result, &e.Detail)
				e.At, e.ActorLevel = time.UnixMilli(at), Level(level)
				return TimelineEntry{Kind: TimelineAudit, ID: strconv.FormatInt(e.ID, 10), At: at, Audit: &e}, err
			}},
		// The calls the request log keeps (APIRequestsKept): an older one
		// is simply no longer there.
		{kind: TimelineAPI, cols: timelineAPICols, from: `FROM api_requests WHERE card_id = ?`, at: "at", id: "id",
			scan: func(r rowScanner) (TimelineEntry, error) {
				var c APIRequest
				err := r.Scan(&c.ID, &c.At, &c.KeyID, &c.KeyName, &c.Method, &c.Path, &c.Query, &c.Status, &c.DurationUs,
					&c.TraceID, &c.CardID, &c.IdemKey, &c.Replayed)
				return TimelineEntry{Kind: TimelineAPI, ID: strconv.FormatInt(c.ID, 10), At: c.At, API: &c}, err
			}},
	}
}

// timelineAPICols are a call's columns but its bodies and address: the
// timeline links to the call in the request log for the rest.
const timelineAPICols = `id, at, COALESCE(key_id, 0), key_name, method, path, query, status, duration_us, trace_id, card_id,
	idem_key, replayed`

const eventCols = `e.id, e.webhook_id, e.operation, e.sub_operation, e.operation_id, e.status, e.status_raw,
	e.reason, e.card_id, e.wallet_id, e.verification, e.received_at, e.last_received_at, e.attempts`

const timelineOutboxCols = `o.id, o.webhook_id, o.operation_id, o.operation, o.sub_operation, o.status, o.card_id,
	o.source, o.mode, COALESCE(o.replay_of_event, ''), o.actor, o.state, o.attempts, o.created_at, COALESCE(o.done_at, 0)`

func scanOutboxRow(r rowScanner) (OutboxMessage, error) {
	var m OutboxMessage
	err := r.Scan(&m.ID, &m.WebhookID, &m.OperationID, &m.Operation, &m.SubOperation, &m.Status, &m.CardID,
		&m.Source, &m.Mode, &m.ReplayOfEvent, &m.Actor, &m.State, &m.Attempts, &m.CreatedAt, &m.DoneAt)
	return m, err
}

func scanTimelineOutbox(k TimelineKind) func(rowScanner) (TimelineEntry, error) {
	return func(r rowScanner) (TimelineEntry, error) {
		m, err := scanOutboxRow(r)
		return TimelineEntry{Kind: k, ID: strconv.FormatInt(m.ID, 10), At: m.CreatedAt, Outbox: &m}, err
	}
}

// CardTimeline returns up to limit entries of the card's timeline, newest
// first, after the cursor (zero: from the newest), of the kinds the filter
// shows; next is the cursor of the following page, zero when this is the
// last. Each kind is read on its own index, at most limit+1 rows, and the
// kinds are merged, so a page costs the same at any depth. A movement with a
// parent (a clearing, refund or reversal) is not a line of its own but one
// of its authorization's Followers; while movements are shown, so are the
// notifications and sandbox deliveries about a movement.
func (s *Store) CardTimeline(ctx context.Context, cardID string, f TimelineFilter, after TimelineCursor, limit int) (entries []TimelineEntry, next TimelineCursor, err error) {
	if limit <= 0 || limit > MaxTimelinePage {
		limit = 50
	}
	fold := f.Has(TimelineMovement)
	for _, src := range timelineSources(fold) {
		if !f.Has(src.kind) {
			continue
		}
		got, err := s.timelineKind(ctx, src, cardID, after, limit+1)
		if err != nil {
			return nil, next, fmt.Errorf("store: card %s timeline %s: %w", cardID, src.kind, err)
		}
		entries = append(entries, got...)
	}
	sort.Slice(entries, func(i, j int) bool { return timelineBefore(entries[i].Cursor(), entries[j].Cursor()) })
	if len(entries) > limit {
		entries = entries[:limit]
		next = entries[limit-1].Cursor()
	}
	if err := s.timelineGroups(ctx, cardID, entries); err != nil {
		return nil, TimelineCursor{}, fmt.Errorf("store: card %s timeline: %w", cardID, err)
	}
	return entries, next, nil
}

// timelineKind reads one kind's rows after the cursor.
func (s *Store) timelineKind(ctx context.Context, src timelineSource, cardID string, after TimelineCursor, n int) ([]TimelineEntry, error) {
	q, args := timelineQuery(src, cardID, after, n)
	return s.timelineRows(ctx, src, q, args)
}

// timelineQuery is the SQL of at most n of one kind's rows after the
// cursor, newest first by (at, id), on an index that starts with the card:
// (at, kind, id) below the cursor's.
func timelineQuery(src timelineSource, cardID string, after TimelineCursor, n int) (string, []any) {
	q := `SELECT ` + src.cols + ` ` + src.from + src.extra
	args := []any{cardID}
	if src.inIDOrder {
		return q + timelineIDCursor(src, after, &args), append(args, n)
	}
	if !after.IsZero() {
		switch {
		case src.kind < after.Kind:
			q += ` AND ` + src.at + ` <= ?`
			args = append(args, after.At)
		case src.kind > after.Kind:
			q += ` AND ` + src.at + ` < ?`
			args = append(args, after.At)
		default:
			op := "<"
			if after.Inclusive {
				op = "<="
			}
			var id any = after.ID
			if timelineIntID(src.kind) {
				id, _ = strconv.ParseInt(after.ID, 10, 64)
			}
			q += ` AND (` + src.at + `, ` + src.id + `) ` + op + ` (?, ?)`
			args = append(args, after.At, id)
		}
	}
	return q + ` ORDER BY ` + src.at + ` DESC, ` + src.id + ` DESC LIMIT ?`, append(args, n)
}

// timelineIDCursor is the condition, and the order, of the notifications
// after the cursor, read in id order (inIDOrder): in their own kind, those
// numbered before it; after another kind's entry, those stamped before its
// time (at or before it for a kind that sorts first at the same time),
// bounded by the last event id of the newest minute up to that time, so
// that the index read starts there, not at the card's newest event.
func timelineIDCursor(src timelineSource, after TimelineCursor, args *[]any) string {
	order := ` ORDER BY ` + src.id + ` DESC LIMIT ?`
	switch {
	case after.IsZero():
		return order
	case src.kind == after.Kind:
		id, _ := strconv.ParseInt(after.ID, 10, 64)
		*args = append(*args, id)
		if after.Inclusive {
			return ` AND ` + src.id + ` <= ?` + order
		}
		return ` AND ` + src.id + ` < ?` + order
	}
	op := "<"
	if src.kind < after.Kind {
		op = "<="
	}
	*args = append(*args, after.At, after.At/60000)
	return ` AND ` + src.at + ` ` + op + ` ? AND ` + src.id + ` <= coalesce((SELECT last_id FROM webhook_event_minutes
		WHERE minute <= ? ORDER BY minute DESC LIMIT 1), 0)` + order
}

// timelineRows runs one kind's query and scans its rows.
func (s *Store) timelineRows(ctx context.Context, src timelineSource, q string, args []any) ([]TimelineEntry, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TimelineEntry
	for rows.Next() {
		e, err := src.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// followerSpan is the most of a card's movements timelineGroups reads on
// the card's own index to find a page's followers; a longer span is looked
// up by parent instead. A var for tests.
var followerSpan = 500

// timelineGroups fills in each movement's followers and the notifications
// and deliveries about it and them.
func (s *Store) timelineGroups(ctx context.Context, cardID string, entries []TimelineEntry) error {
	byID := map[string]*TimelineEntry{}
	var ids []any
	var oldest int64
	for i := range entries {
		if e := &entries[i]; e.Movement != nil {
			if len(ids) == 0 || e.Movement.Datetime < oldest {
				oldest = e.Movement.Datetime
			}
			byID[e.Movement.ID] = e
			ids = append(ids, e.Movement.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	from, args, err := s.followersFrom(ctx, cardID, oldest, ids)
	if err != nil {
		return err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+movementCols+from+` ORDER BY datetime, id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMovement(rows)
		if err != nil {
			return err
		}
		e := byID[m.ParentID]
		e.Followers = append(e.Followers, m)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// The operation ids of every movement shown, and whose line they are.
	owner := map[string]*TimelineEntry{}
	var ops []any
	for _, e := range byID {
		for _, m := range append([]Movement{*e.Movement}, e.Followers...) {
			if m.SourceOperationID != "" {
				owner[m.SourceOperationID] = e
				ops = append(ops, m.SourceOperationID)
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	opList, ops := inList(ops)
	evRows, err := s.r.QueryContext(ctx, `SELECT `+eventCols+` FROM webhook_events e WHERE e.operation_id IN (`+opList+`)
		ORDER BY e.received_at, e.id`, ops...)
	if err != nil {
		return err
	}
	defer evRows.Close()
	for evRows.Next() {
		ev, err := scanEvent(evRows)
		if err != nil {
			return err
		}
		if e := owner[ev.OperationID]; e != nil {
			e.Notifications = append(e.Notifications, ev)
		}
	}
	if err := evRows.Err(); err != nil {
		return err
	}
	obRows, err := s.r.QueryContext(ctx, `SELECT `+timelineOutboxCols+` FROM outbox o WHERE o.operation_id IN (`+opList+`)
		ORDER BY o.created_at, o.id`, ops...)
	if err != nil {
		return err
	}
	defer obRows.Close()
	for obRows.Next() {
		m, err := scanOutboxRow(obRows)
		if err != nil {
			return err
		}
		if e := owner[m.OperationID]; e != nil {
			e.Sent = append(e.Sent, m)
		}
	}
	return obRows.Err()
}

// followersFrom is the FROM and WHERE clause of the followers of the
// movements ids, the oldest of them dated oldest. A follower is never dated
// before its authorization (Simulate and the seed keep to it), so they are
// among the card's movements since oldest: on the card's own index, rows
// the card page has just read, where a lookup by parent costs a read of the
// parent index per movement shown, each somewhere else on disk. A span
// longer than followerSpan (a deep page, or a card with many followers of
// older movements) is looked up by parent.
func (s *Store) followersFrom(ctx context.Context, cardID string, oldest int64, ids []any) (string, []any, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM card_transactions
		WHERE card_id = ? AND datetime >= ? LIMIT `+strconv.Itoa(followerSpan+1)+`)`, cardID, oldest).Scan(&n); err != nil {
		return "", nil, err
	}
	var c conditions
	from := ` FROM card_transactions`
	if n <= followerSpan {
		from += ` INDEXED BY card_transactions_card`
		c.add("card_id = ?", cardID)
		c.add("datetime >= ?", oldest)
	}
	list, ids := inList(ids)
	c.add("parent_id IN ("+list+")", ids...)
	return from + c.where(), c.args, nil
}

// CardTimelineLocate returns where the entry named by kind and id sits in
// the card's timeline (with the filter's folding), the cursor of the line
// that shows it: a movement with a parent, and a notification or delivery
// about a movement, are shown in their authorization's line. An entry not
// on this card is ErrNotFound.
func (s *Store) CardTimelineLocate(ctx context.Context, cardID string, f TimelineFilter, kind TimelineKind, id string) (TimelineCursor, error) {
	wrap := func(err error) (TimelineCursor, error) {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return TimelineCursor{}, fmt.Errorf("store: card %s timeline entry %s-%s: %w", cardID, kind, id, err)
	}
	fold := f.Has(TimelineMovement)
	movementLine := func(q string, args ...any) (TimelineCursor, error) {
		// The movement, or its parent when it has one.
		var mid, parent string
		var at int64
		if err := s.r.QueryRowContext(ctx, q, args...).Scan(&mid, &parent, &at); err != nil {
			return wrap(err)
		}
		if parent != "" {
			if err := s.r.QueryRowContext(ctx, `SELECT id, '', datetime FROM card_transactions WHERE id = ? AND card_id = ?`,
				parent, cardID).Scan(&mid, &parent, &at); err != nil {
				return wrap(err)
			}
		}
		return TimelineCursor{At: at, Kind: TimelineMovement, ID: mid, Inclusive: true}, nil
	}
	var at int64
	var op string
	var err error
	switch kind {
	case TimelineMovement:
		return movementLine(`SELECT id, COALESCE(parent_id, ''), datetime FROM card_transactions WHERE id = ? AND card_id = ?`, id, cardID)
	case TimelineNotification:
		err = s.r.QueryRowContext(ctx, `SELECT received_at, operation_id FROM webhook_events WHERE id = ? AND card_id = ?`, id, cardID).Scan(&at, &op)
	case TimelineSimulation, TimelineReplay:
		err = s.r.QueryRowContext(ctx, `SELECT created_at, operation_id FROM outbox WHERE id = ? AND card_id = ?`, id, cardID).Scan(&at, &op)
		if kind == TimelineReplay {
			op = ""
		}
	case TimelineReissue:
		err = s.r.QueryRowContext(ctx, `SELECT created_at FROM reissue_requests WHERE id = ? AND card_id = ?`, id, cardID).Scan(&at)
	case TimelineStatus:
		err = s.r.QueryRowContext(ctx, `SELECT at FROM card_status_history WHERE id = ? AND card_id = ?`, id, cardID).Scan(&at)
	case TimelineAudit:
		err = s.r.QueryRowContext(ctx, `SELECT at FROM audit_log WHERE id = ? AND target_type = 'card' AND target_id = ?`, id, cardID).Scan(&at)
	case TimelineAPI:
		err = s.r.QueryRowContext(ctx, `SELECT at FROM api_requests WHERE id = ? AND card_id = ?`, id, cardID).Scan(&at)
	default:
		return wrap(ErrNotFound)
	}
	if err != nil {
		return wrap(err)
	}
	if fold && op != "" {
		c, err := movementLine(`SELECT id, COALESCE(parent_id, ''), datetime FROM card_transactions
			WHERE source_operation_id = ? AND source_operation_id <> '' AND card_id = ?`, op, cardID)
		if err == nil || !errors.Is(err, ErrNotFound) {
			return c, err
		}
	}
	return TimelineCursor{At: at, Kind: kind, ID: id, Inclusive: true}, nil
}

// EventsByOperationID lists the events whose operation id starts with
// prefix (at least 4 characters, else none), newest first, at most limit:
// the command palette finds an event by the id a provider or a log quotes.
func (s *Store) EventsByOperationID(ctx context.Context, prefix string, limit int) ([]Event, error) {
	prefix = strings.TrimSpace(prefix)
	if len(prefix) < 4 || len(prefix) > 200 {
		return nil, nil
	}
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	lo, hi := prefixRange(prefix)
	rows, err := s.r.QueryContext(ctx, `SELECT `+eventCols+` FROM webhook_events e
		WHERE e.operation_id >= ? AND e.operation_id < ? ORDER BY e.id DESC LIMIT ?`, lo, hi, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events by operation id: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: events by operation id: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events by operation id: %w", err)
	}
	return out, nil
}
