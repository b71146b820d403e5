package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Session lifetimes: a session ends after IdleTimeout without a request, and
// after AbsoluteTimeout whatever happens.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchEvery bounds how often a busy session's last_seen_at is written.
	touchEvery = time.Minute
	// touchTimeout bounds the wait to write last_seen_at (also within the
	// write timeout).
	touchTimeout = 500 * time.Millisecond
)

// ErrSessionExpired is returned for a session that existed but timed out.
var ErrSessionExpired = errors.New("session expired")

// Session is a signed-in browser.
type Session struct {
	User       User
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ID names the session on the account page (the hex SHA-256 of its
	// token, never the token itself).
	ID         string
	RemoteAddr string
}

func sessionID(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// SignIn is a sign-in whose every step passed: the password, and the
// second factor when the user is enrolled.
type SignIn struct {
	// Token is the new session's. Replaces is the token of the session the
	// browser held before, "" for none: it ends with the sign-in, so a
	// session id planted before sign-in is never promoted.
	Token, Replaces string
	User            User
	RemoteAddr      string
	// Slot is the sign-in's throttle slot (ReserveSignIn), settled as a
	// success.
	Slot SignInSlot
	// SecondFactor is the code that finished the sign-in of an enrolled
	// user (CheckSecondFactor), nil for none: it is spent in the sign-in's
	// transaction, so a sign-in that fails keeps it (a recovery code is not
	// lost), and a code another sign-in spent first fails this one
	// (ErrCodeReused, or ErrCodeWrong for a recovery code). Challenge is the
	// token of the half-finished sign-in it finishes, which ends with it.
	SecondFactor *SecondFactor
	Challenge    string
	// Detail is the audit row's detail (how the second factor was given).
	Detail string
}

// SignIn starts the session of a finished sign-in. In one transaction with
// its audit row: the second factor is spent and the half-finished sign-in
// ends, the session the browser held before ends, the throttle forgets the
// slot and the account's failures from the address (and its step-up
// failures), the new session is recorded and the sign-in becomes the
// user's latest. When any of it fails none of it is done.
func (s *Store) SignIn(ctx context.Context, in SignIn) error {
	now := s.nowMs()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if in.SecondFactor != nil {
			if err := in.SecondFactor.spendTx(ctx, tx, now); err != nil {
				return err
			}
		}
		if in.Challenge != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE id = ?`, sessionID(in.Challenge)); err != nil {
				return fmt.Errorf("end the half-finished sign-in: %w", err)
			}
		}
		if in.Replaces != "" {
			s.sessionsEndedTx(tx)
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, sessionID(in.Replaces)); err != nil {
				return fmt.Errorf("end the session held before: %w", err)
			}
		}
		if err := signInSucceededTx(ctx, tx, in.Slot); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions(id, user_id, created_at, last_seen_at, remote_addr) VALUES (?, ?, ?, ?, ?)`,
			sessionID(in.Token), in.User.ID, now, now, in.RemoteAddr); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET last_sign_in_at = ?, last_sign_in_addr = ? WHERE id = ?`, now, in.RemoteAddr, in.User.ID); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: in.User.Username, ActorLevel: in.User.Level, RemoteAddr: in.RemoteAddr,
			Action: AuditLogin, TargetType: "user", TargetID: in.User.Username, Result: ResultOK, Detail: in.Detail})
	})
	if err != nil {
		return fmt.Errorf("store: sign in %s: %w", in.User.Username, err)
	}
	return nil
}

// SessionByToken returns the live session for token and marks it seen. An
// idle or too old session is deleted and reported as ErrSessionExpired; an
// unknown one (signed out, never existed) as ErrNotFound.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, error) {
	id := sessionID(token)
	var created, seen int64
	var userID int64
	var addr string
	err := s.r.QueryRowContext(ctx, `SELECT user_id, created_at, last_seen_at, remote_addr FROM sessions WHERE id = ?`, id).
		Scan(&userID, &created, &seen, &addr)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	now := s.now()
	createdAt, seenAt := time.UnixMilli(created), time.UnixMilli(seen)
	if now.Sub(seenAt) > IdleTimeout || now.Sub(createdAt) > AbsoluteTimeout {
		if err := s.deleteSession(ctx, token); err != nil {
			return Session{}, err
		}
		return Session{}, fmt.Errorf("store: session: %w", ErrSessionExpired)
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	if u.Disabled() {
		// Disabling ends the sessions in the same transaction; this only
		// guards against a session created in between.
		return Session{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if now.Sub(seenAt) > touchEvery {
		// Marking the session seen is bookkeeping: a locked database must
		// not hold up (or fail) every signed-in read, so the mark waits
		// briefly and is left for a later request if the database is busy.
		tctx, cancel := context.WithTimeout(ctx, touchTimeout)
		_, err := s.exec(tctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, now.UnixMilli(), id)
		cancel()
		switch {
		case err == nil:
			seenAt = now
		case errors.Is(err, ErrBusy), tctx.Err() != nil && ctx.Err() == nil:
		default:
			return Session{}, fmt.Errorf("store: touch session: %w", err)
		}
	}
	return Session{User: u, CreatedAt: createdAt, LastSeenAt: seenAt, ID: hex.EncodeToString(id), RemoteAddr: addr}, nil
}

// SignOut ends the session for token, whose user is actor, in one
// transaction with its audit row; the cookie that carries it is worthless
// afterwards.
func (s *Store) SignOut(ctx context.Context, token string, actor Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		s.sessionsEndedTx(tx)
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, sessionID(token)); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, actor.audit(AuditLogout, "user", actor.Username, ResultOK, ""))
	})
	if err != nil {
		return fmt.Errorf("store: sign out %s: %w", actor.Username, err)
	}
	return nil
}

// deleteSession ends the session for token: bookkeeping of a session that
// timed out, not a person's sign-out (SignOut).
func (s *Store) deleteSession(ctx context.Context, token string) error {
	if _, err := s.exec(ctx, `DELETE FROM sessions WHERE id = ?`, sessionID(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	s.sessionEnds.fire()
	return nil
}

// DeleteExpiredSessions removes sessions past either timeout.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	now := s.now()
	res, err := s.exec(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
		now.Add(-IdleTimeout).UnixMilli(), now.Add(-AbsoluteTimeout).UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if n > 0 {
		s.sessionEnds.fire()
	}
	return n, err
}

// CheckSession reports whether the session for token is still live: nil, or
// ErrNotFound (signed out, never existed) or ErrSessionExpired (past either
// timeout). Unlike SessionByToken it does not mark the session seen, so a
// page that only listens to a live stream does not keep its session alive.
func (s *Store) CheckSession(ctx context.Context, token string) error {
	var created, seen int64
	err := s.r.QueryRowContext(ctx, `SELECT created_at, last_seen_at FROM sessions WHERE id = ?`, sessionID(token)).
		Scan(&created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: check session: %w", ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: check session: %w", err)
	}
	now := s.now()
	if now.Sub(time.UnixMilli(seen)) > IdleTimeout || now.Sub(time.UnixMilli(created)) > AbsoluteTimeout {
		return fmt.Errorf("store: check session: %w", ErrSessionExpired)
	}
	return nil
}

// UserSessions lists the user's live sessions, newest first.
func (s *Store) UserSessions(ctx context.Context, userID int64) ([]Session, error) {
	now := s.now()
	rows, err := s.r.QueryContext(ctx, `SELECT id, created_at, last_seen_at, remote_addr FROM sessions
		WHERE user_id = ? AND last_seen_at >= ? AND created_at >= ? ORDER BY created_at DESC`,
		userID, now.Add(-IdleTimeout).UnixMilli(), now.Add(-AbsoluteTimeout).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: sessions of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		var id []byte
		var created, seen int64
		var sess Session
		if err := rows.Scan(&id, &created, &seen, &sess.RemoteAddr); err != nil {
			return nil, fmt.Errorf("store: sessions of user %d: %w", userID, err)
		}
		sess.ID, sess.CreatedAt, sess.LastSeenAt = hex.EncodeToString(id), time.UnixMilli(created), time.UnixMilli(seen)
		out = append(out, sess)
	}
	return out, rows.Err()
}

// SessionTokenID returns the ID (as Session.ID) of the session for token.
func SessionTokenID(token string) string { return hex.EncodeToString(sessionID(token)) }

// EndOwnSession ends one of the user's own sessions by its ID, audited in the
// same transaction. A session that is not the user's is ErrNotFound.
func (s *Store) EndOwnSession(ctx context.Context, userID int64, id string, actor Actor) error {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != sha256.Size {
		return fmt.Errorf("store: end session: %w", ErrNotFound)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		s.sessionsEndedTx(tx)
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ? AND user_id = ?`, raw, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.auditTx(ctx, tx, actor.audit(AuditSessionEnd, "user", actor.Username, ResultOK, "session "+id[:12]))
	})
	if err != nil {
		return fmt.Errorf("store: end session: %w", err)
	}
	return nil
}
