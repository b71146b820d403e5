package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Audit results.
const (
	ResultOK      = "ok"
	ResultRefused = "refused"
	ResultError   = "error"
)

// AnonymousValueMax bounds every value taken from an unauthenticated request
// (a username typed at sign-in, an Origin header, a path) before it is
// stored or logged: Cut(v, AnonymousValueMax).
const AnonymousValueMax = 256

// auditFieldMax bounds every text field of an audit row, whoever wrote it:
// the last line of defence for the append-only log.
const auditFieldMax = 16 << 10

// AuditEntry is one row of the append-only audit log: who did what, when,
// from where, with what result.
type AuditEntry struct {
	ID         int64
	At         time.Time
	Actor      string
	ActorLevel Level
	RemoteAddr string
	Action     string
	TargetType string
	TargetID   string
	Result     string
	Detail     string
}

// Audit appends e to the audit log; At defaults to now.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.audit(ctx, timedWriter{s}, e)
}

// auditTx appends e inside a domain transaction, so the change and its audit
// row commit together.
func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	return s.audit(ctx, tx, e)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *Store) audit(ctx context.Context, db execer, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if e.Result == "" {
		e.Result = ResultOK
	}
	// A card number typed where an id was asked for (a simulation's card,
	// a search) reaches the audit row masked, never as typed.
	e.TargetID, e.Detail = MaskCardNumbers(e.TargetID), MaskCardNumbers(e.Detail)
	for _, f := range []*string{&e.Actor, &e.RemoteAddr, &e.Action, &e.TargetType, &e.TargetID, &e.Detail} {
		*f = Cut(*f, auditFieldMax)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO audit_log(at, actor, actor_level, remote_addr, action, target_type, target_id, result, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UnixMilli(), e.Actor, int(e.ActorLevel), e.RemoteAddr, e.Action, e.TargetType, e.TargetID, e.Result, e.Detail)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter narrows an audit listing. Zero fields match everything;
// BeforeID pages backwards (newest first). Actor, Action, TargetType and
// TargetID match exactly; the search fields below are what a person types.
type AuditFilter struct {
	Actor      string
	Action     string
	TargetType string
	TargetID   string
	// ActionPrefix matches the start of the action ("reissue" finds
	// reissue.start and reissue.confirm), ignoring case.
	ActionPrefix string
	// ActorContains and TargetContains match anywhere in the actor and in
	// "type:id" of the target, ignoring ASCII case.
	ActorContains  string
	TargetContains string
	// From and To bound the time, both included; zero is open.
	From, To time.Time
	BeforeID int64
	Limit    int
}

// MaxAuditSearch is the longest search term the audit listing takes; longer
// ones are cut.
const MaxAuditSearch = 100

// likeContains returns a LIKE pattern (with ESCAPE '\') matching s
// anywhere, its own % _ and \ taken literally; every LIKE filter uses it
// or likePrefix.
func likeContains(s string) string {
	return "%" + likeEscaper.Replace(s) + "%"
}

// likePrefix is likeContains for values that start with s.
func likePrefix(s string) string {
	return likeEscaper.Replace(s) + "%"
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// WebhookSettingsTarget is the audit target (type "settings") of every
// change to where and how notifications are delivered: rotations,
// subscriptions and their end. Rows written before it was one name say
// "webhook" for subscriptions.
const WebhookSettingsTarget = "webhooks"

// oldWebhookTarget is the search a person typed for the webhook settings
// rows, rewritten for the rows kept under the old name, "" when the search
// is not for them.
func oldWebhookTarget(tg string) string {
	low := strings.ToLower(tg)
	if strings.HasSuffix(low, "webhooks") && strings.HasSuffix("settings:webhooks", low) {
		return tg[:len(tg)-1]
	}
	return ""
}

// AuditLog lists audit rows newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var c conditions
	if f.Actor != "" {
		c.add("actor = ?", f.Actor)
	}
	if f.Action != "" {
		c.add("action = ?", f.Action)
	}
	if f.TargetType != "" {
		c.add("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		c.add("target_id = ?", f.TargetID)
	}
	if p := strings.ToLower(CutRunes(f.ActionPrefix, MaxAuditSearch)); p != "" {
		lo, hi := prefixRange(p)
		c.add("action >= ? AND action < ?", lo, hi)
	}
	if a := CutRunes(f.ActorContains, MaxAuditSearch); a != "" {
		c.add(`actor LIKE ? ESCAPE '\'`, likeContains(a))
	}
	if tg := CutRunes(f.TargetContains, MaxAuditSearch); tg != "" {
		// Webhook subscriptions were audited against settings:webhook
		// before they joined rotations under settings:webhooks: a search
		// for the one finds the rows of both.
		if old := oldWebhookTarget(tg); old != "" {
			c.add(`((target_type || ':' || target_id) LIKE ? ESCAPE '\' OR (target_type || ':' || target_id) LIKE ? ESCAPE '\')`,
				likeContains(tg), likeContains(old))
		} else {
			c.add(`(target_type || ':' || target_id) LIKE ? ESCAPE '\'`, likeContains(tg))
		}
	}
	if !f.From.IsZero() {
		c.add("at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		c.add("at <= ?", f.To.UnixMilli())
	}
	if f.BeforeID > 0 {
		c.add("id < ?", f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT id, at, actor, actor_level, remote_addr, action, target_type, target_id, result, detail FROM audit_log` +
		c.where() + " ORDER BY id DESC LIMIT ?"
	args := append(c.args, f.Limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var level int
		if err := rows.Scan(&e.ID, &at, &e.Actor, &level, &e.RemoteAddr, &e.Action, &e.TargetType, &e.TargetID, &e.Result, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.At, e.ActorLevel = time.UnixMilli(at), Level(level)
		out = append(out, e)
	}
	return out, rows.Err()
}
