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
	_, err := db.ExecContext(ctx, `INSERT INTO audit_log(at, actor, actor_level, remote_addr, action, target_type, target_id, result, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At.UnixMilli(), e.Actor, int(e.ActorLevel), e.RemoteAddr, e.Action, e.TargetType, e.TargetID, e.Result, e.Detail)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditFilter narrows an audit listing. Zero fields match everything;
// BeforeID pages backwards (newest first).
type AuditFilter struct {
	Actor      string
	Action     string
	TargetType string
	TargetID   string
	BeforeID   int64
	Limit      int
}

// AuditLog lists audit rows newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var where []string
	var args []any
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.TargetType != "" {
		where, args = append(where, "target_type = ?"), append(args, f.TargetType)
	}
	if f.TargetID != "" {
		where, args = append(where, "target_id = ?"), append(args, f.TargetID)
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	q := `SELECT id, at, actor, actor_level, remote_addr, action, target_type, target_id, result, detail FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
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
