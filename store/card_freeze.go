package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// FreezeReason says why an admin freezes or unfreezes a card.
type FreezeReason string

// The reasons offered on the card page.
const (
	FreezeSuspectedFraud  FreezeReason = "suspected_fraud"
	FreezeCustomerRequest FreezeReason = "customer_request"
	FreezeLostThenFound   FreezeReason = "lost_then_found"
	FreezeOther           FreezeReason = "other"
	// FreezeNotGiven is the reason of a freeze or unfreeze through the
	// provider API, whose call carries none; no form offers it.
	FreezeNotGiven FreezeReason = "not_given"
)

// StatusReasonReissue is the reason of a status change a reissue made (an
// EXPIRED card renewed with a new number, see ReissueStatus). It is not one
// of FreezeReasons: no form offers it.
const StatusReasonReissue FreezeReason = "reissue"

// FreezeReasons lists the reasons a person may give, to freeze or to
// unfreeze.
var FreezeReasons = []FreezeReason{FreezeSuspectedFraud, FreezeCustomerRequest, FreezeLostThenFound, FreezeOther}

// freezeOnly and unfreezeOnly are the reasons of each way, in the order its
// form offers them: a card is frozen for suspected fraud and unfrozen when
// it was lost and then found, never the other way round.
var (
	freezeOnly   = []FreezeReason{FreezeSuspectedFraud, FreezeCustomerRequest, FreezeOther}
	unfreezeOnly = []FreezeReason{FreezeCustomerRequest, FreezeLostThenFound, FreezeOther}
)

// FreezeReasonsFor lists the reasons a freeze (freeze true) or an unfreeze
// may be given, in the order its form offers them.
func FreezeReasonsFor(freeze bool) []FreezeReason {
	if freeze {
		return freezeOnly
	}
	return unfreezeOnly
}

// Valid reports whether r is one of FreezeReasons.
func (r FreezeReason) Valid() bool {
	return slices.Contains(FreezeReasons, r)
}

// ValidFor reports whether r may be given for a freeze (freeze true) or an
// unfreeze.
func (r FreezeReason) ValidFor(freeze bool) bool {
	return slices.Contains(FreezeReasonsFor(freeze), r)
}

// APIFreeze is a freeze or unfreeze through the provider API (PATCH
// …/frozen): its call carries no reason, so none is recorded
// (FreezeNotGiven, which only the API records) and no note.
func APIFreeze(cardID string, freeze bool, seenVersion int64, actor Actor) CardFreeze {
	return CardFreeze{CardID: cardID, Freeze: freeze, SeenVersion: seenVersion,
		Reason: FreezeNotGiven, Actor: actor, api: true}
}

// FreezeNoteMax bounds the free-text note of a freeze or unfreeze.
const FreezeNoteMax = 500

// Actor is the signed-in person behind a state change, as the audit log
// names them.
type Actor struct {
	Username   string
	Level      Level
	RemoteAddr string
}

func (a Actor) audit(action, targetType, targetID, result, detail string) AuditEntry {
	return AuditEntry{Actor: a.Username, ActorLevel: a.Level, RemoteAddr: a.RemoteAddr, Action: action,
		TargetType: targetType, TargetID: targetID, Result: result, Detail: detail}
}

// CardFreeze is an admin's freeze (Freeze true) or unfreeze of a card.
type CardFreeze struct {
	CardID string
	Freeze bool
	// SeenVersion is the card version the admin's page was drawn at; a card
	// that changed since is refused with ErrCardChanged.
	SeenVersion int64
	Reason      FreezeReason
	Note        string
	Actor       Actor
	// api marks a change made through the provider API (APIFreeze), the
	// only one that may have no reason.
	api bool
}

// Validate reports which fields are wrong: reason (required, invalid: not
// one of FreezeReasonsFor the change), note
// (required when the reason is "other", too long).
func (f CardFreeze) Validate() FieldErrors {
	errs := FieldErrors{}
	switch {
	case f.api && f.Reason == FreezeNotGiven:
	case f.Reason == "":
		errs["reason"] = FieldRequired
	case !f.Reason.ValidFor(f.Freeze):
		errs["reason"] = FieldInvalid
	}
	note := strings.TrimSpace(f.Note)
	switch {
	case utf8.RuneCountInString(note) > FreezeNoteMax:
		errs["note"] = FieldTooLong
	case f.Reason == FreezeOther && note == "":
		errs["note"] = FieldRequired
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (f CardFreeze) action() string {
	if f.Freeze {
		return AuditCardFreeze
	}
	return AuditCardUnfreeze
}

// ErrCardChanged: the card's number or state changed since the admin's
// page was drawn; the admin decides again on what is true now.
var ErrCardChanged = errors.New("the card changed since the page was drawn")

// CardStatusError refuses a freeze or unfreeze the card's status does not
// allow: only ACTIVE cards freeze and only FROZEN cards unfreeze.
type CardStatusError struct {
	Status string
	Freeze bool
	// Last is the change that put the card in Status, when it was a freeze
	// or unfreeze (so a double submit can say who did it first).
	Last *CardStatusChange
}

func (e *CardStatusError) Error() string {
	verb := "unfreeze"
	if e.Freeze {
		verb = "freeze"
	}
	return fmt.Sprintf("cannot %s a card that is %s", verb, e.Status)
}

// CardStatusChange is one row of a card's status history.
type CardStatusChange struct {
	ID     int64
	CardID string
	From   string
	To     string
	Reason FreezeReason
	Note   string
	Actor  string
	At     int64
}

// SetCardFrozen freezes (ACTIVE → FROZEN) or unfreezes (FROZEN → ACTIVE) a
// card in one transaction with its status-history row and its audit row, and
// bumps the card's version. It refuses, auditing the refusal, a card whose
// status does not allow it (*CardStatusError) and a card that changed since
// SeenVersion (ErrCardChanged); an unknown card is ErrNotFound, invalid input
// FieldErrors. Two admins at once or a double submit change the card once.
func (s *Store) SetCardFrozen(ctx context.Context, f CardFreeze) (CardStatusChange, error) {
	if errs := f.Validate(); errs != nil {
		return CardStatusChange{}, fmt.Errorf("store: %s card %s: %w", f.action(), f.CardID, errs)
	}
	f.Note = strings.TrimSpace(f.Note)
	from, to := "ACTIVE", "FROZEN"
	if !f.Freeze {
		from, to = to, from
	}
	change := CardStatusChange{CardID: f.CardID, From: from, To: to, Reason: f.Reason, Note: f.Note, Actor: f.Actor.Username}
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		var version int64
		err := tx.QueryRowContext(ctx, `SELECT status, version FROM cards WHERE id = ?`, f.CardID).Scan(&status, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		switch {
		case status != from:
			se := &CardStatusError{Status: status, Freeze: f.Freeze}
			if last, err := lastStatusChange(ctx, tx, f.CardID); err == nil {
				se.Last = &last
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			refusal = se
		case version != f.SeenVersion:
			refusal = ErrCardChanged
		}
		if refusal != nil {
			return s.auditTx(ctx, tx, f.Actor.audit(f.action(), "card", f.CardID, ResultRefused, refusal.Error()))
		}
		change.At = s.nowMs()
		res, err := tx.ExecContext(ctx, `UPDATE cards SET status = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND status = ? AND version = ?`, to, change.At, f.CardID, from, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("conditional update changed %d rows: %v", n, err)
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO card_status_history(card_id, from_status, to_status, reason, note, actor, at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, f.CardID, from, to, string(f.Reason), f.Note, f.Actor.Username, change.At)
		if err != nil {
			return err
		}
		if change.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s → %s; reason %s", from, to, f.Reason)
		if f.Reason == FreezeNotGiven {
			detail = fmt.Sprintf("%s → %s; through the API; no reason given", from, to)
		}
		if f.Note != "" {
			detail += "; note: " + f.Note
		}
		return s.auditTx(ctx, tx, f.Actor.audit(f.action(), "card", f.CardID, ResultOK, detail))
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return CardStatusChange{}, fmt.Errorf("store: %s card %s: %w", f.action(), f.CardID, err)
	}
	s.cardChanged(f.CardID)
	return change, nil
}

// CardStatusHistory returns the card's status changes (freezes, unfreezes,
// an EXPIRED card renewed by a reissue), newest first.
func (s *Store) CardStatusHistory(ctx context.Context, cardID string) ([]CardStatusChange, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+statusChangeCols+` FROM card_status_history
		WHERE card_id = ? ORDER BY id DESC`, cardID)
	if err != nil {
		return nil, fmt.Errorf("store: card %s status history: %w", cardID, err)
	}
	defer rows.Close()
	var out []CardStatusChange
	for rows.Next() {
		c, err := scanStatusChange(rows)
		if err != nil {
			return nil, fmt.Errorf("store: card %s status history: %w", cardID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: card %s status history: %w", cardID, err)
	}
	return out, nil
}

const statusChangeCols = `id, card_id, from_status, to_status, reason, note, actor, at`

func scanStatusChange(row rowScanner) (CardStatusChange, error) {
	var c CardStatusChange
	err := row.Scan(&c.ID, &c.CardID, &c.From, &c.To, &c.Reason, &c.Note, &c.Actor, &c.At)
	return c, err
}

func lastStatusChange(ctx context.Context, tx *sql.Tx, cardID string) (CardStatusChange, error) {
	c, err := scanStatusChange(tx.QueryRowContext(ctx, `SELECT `+statusChangeCols+` FROM card_status_history
		WHERE card_id = ? ORDER BY id DESC LIMIT 1`, cardID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}
