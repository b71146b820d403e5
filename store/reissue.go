package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ReissueTTL is how long a reissue request made at step 1 stays valid.
const ReissueTTL = 10 * time.Minute

// ReissueMaxAttempts is how many wrong confirmations (last 4 or password) a
// request survives; the last one cancels it.
const ReissueMaxAttempts = 5

// expiredNote is why an expired request was closed.
var expiredNote = fmt.Sprintf("not confirmed within %d minutes", int(ReissueTTL.Minutes()))

// reissueNoteMax bounds the free-text note and the rejection reason.
const reissueNoteMax = 500

// newPANTries bounds the search for a fresh number. With 10^9 account
// numbers per BIN a clash is rare and a last 4 the card had is 1 in 10^4
// per former number, so running out of tries means a BIN nearly full.
const newPANTries = 20

// ReissueReason is why an admin reissues a card.
type ReissueReason string

// The reasons step 1 offers.
const (
	ReasonLost           ReissueReason = "LOST"
	ReasonStolen         ReissueReason = "STOLEN"
	ReasonDamaged        ReissueReason = "DAMAGED"
	ReasonSuspectedFraud ReissueReason = "SUSPECTED_FRAUD"
	ReasonOther          ReissueReason = "OTHER"
	// ReasonNotGiven is the reason of a reissue through the provider API,
	// whose call carries none; step 1 never offers it.
	ReasonNotGiven ReissueReason = "NOT_GIVEN"
)

// ReissueReasons lists the reasons in the order step 1 shows them.
var ReissueReasons = []ReissueReason{ReasonLost, ReasonStolen, ReasonDamaged, ReasonSuspectedFraud, ReasonOther}

// Valid reports whether r is one of ReissueReasons.
func (r ReissueReason) Valid() bool {
	for _, x := range ReissueReasons {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the reason in words.
func (r ReissueReason) Label() string {
	switch r {
	case ReasonLost:
		return "Lost"
	case ReasonStolen:
		return "Stolen"
	case ReasonDamaged:
		return "Damaged"
	case ReasonSuspectedFraud:
		return "Suspected fraud"
	case ReasonOther:
		return "Other"
	case ReasonNotGiven:
		return "No reason given"
	}
	return string(r)
}

// Reissue request statuses.
const (
	ReissuePending   = "PENDING"
	ReissueDone      = "DONE"
	ReissueCancelled = "CANCELLED"
	ReissueRejected  = "REJECTED"
	ReissueExpired   = "EXPIRED"
)

// Refusals of the reissue methods. Each is returned wrapped, with the
// request as it stands, so the caller can say what happened.
var (
	// ErrCardDeleted: the provider cannot reissue a DELETED card (its 412).
	ErrCardDeleted = errors.New("the card is deleted and cannot be reissued")
	// ErrReissueCardChanged: the card changed (reissued, frozen, deleted ...)
	// since the request was made or the page was read.
	ErrReissueCardChanged = errors.New("the card changed since step 1")
	// ErrReissueDone: the request was already used; the card is reissued.
	ErrReissueDone = errors.New("the request was already used")
	// ErrReissueClosed: the request was cancelled or rejected.
	ErrReissueClosed = errors.New("the request is closed")
	// ErrReissueExpired: the request is older than ReissueTTL.
	ErrReissueExpired = errors.New("the request expired")
	// ErrReissueNotYours: without four-eyes only the maker may confirm.
	ErrReissueNotYours = errors.New("the request was made by another admin")
	// ErrReissueOwnRequest: in four-eyes mode the maker may not confirm.
	ErrReissueOwnRequest = errors.New("in four-eyes mode a second admin must confirm")
	// ErrReissueWrongLast4 and ErrReissueWrongPassword are wrong
	// confirmations; both count towards ReissueMaxAttempts.
	ErrReissueWrongLast4    = errors.New("wrong last 4 digits")
	ErrReissueWrongPassword = errors.New("wrong password")
	// ErrReissueWrongCode: the admin has two-factor sign-in and the code
	// given with the password was wrong (ReissueConfirmation.CodeWrong).
	ErrReissueWrongCode = errors.New("wrong two-factor code")
	// ErrReissueTooManyAttempts: this wrong confirmation was the last allowed
	// one and cancelled the request.
	ErrReissueTooManyAttempts = errors.New("too many wrong attempts: the request is cancelled")
)

// ReissueActor is the signed-in admin acting on a reissue, as the audit log
// names them.
type ReissueActor struct {
	UserID     int64
	Username   string
	Level      Level
	RemoteAddr string
}

// Actor is the admin as an audit row names them.
func (a ReissueActor) Actor() Actor {
	return Actor{Username: a.Username, Level: a.Level, RemoteAddr: a.RemoteAddr}
}

// ReissueCard is what the reissue pages show of a card.
type ReissueCard struct {
	ID           string
	HolderName   string
	Type         string
	BIN          string
	Last4        string
	ExpMonth     int
	ExpYear      int
	Status       string
	BalanceCents int64
	Version      int64
	// Movements (transactions and deposits) and Tokenizations count what
	// stays with the card.
	Movements     int
	Tokenizations int
}

// ReissueRequest is one request made at step 1, with the card as it is now.
type ReissueRequest struct {
	ID          string
	CardID      string
	CardVersion int64
	MakerID     int64
	Maker       string
	Reason      ReissueReason
	Note        string
	FourEyes    bool
	// Status is the request's effective status: a PENDING request past its
	// expiry reads EXPIRED.
	Status         string
	FailedAttempts int
	CreatedAt      time.Time
	ExpiresAt      time.Time
	DecidedAt      time.Time
	CheckerID      int64
	Checker        string
	DecisionNote   string
	OldLast4       string
	OldExpMonth    int
	OldExpYear     int
	NewLast4       string
	NewExpMonth    int
	NewExpYear     int

	Card ReissueCard
}

// CardChanged reports whether the card changed (reissued, frozen, deleted
// ...) since step 1: a pending request is then refused at step 2
// (ErrReissueCardChanged, ErrCardDeleted), so the page offers no form.
func (r ReissueRequest) CardChanged() bool {
	return r.Card.Status == "DELETED" || r.Card.Version != r.CardVersion
}

// AttemptsLeft reports how many wrong confirmations the request still survives.
func (r ReissueRequest) AttemptsLeft() int {
	return max(0, ReissueMaxAttempts-r.FailedAttempts)
}

// NewReissueRequest is step 1's submission.
type NewReissueRequest struct {
	CardID string
	// SeenVersion is the card version the admin read step 1 at; a card that
	// changed since is refused, so the admin decides on what is true now.
	SeenVersion int64
	Reason      ReissueReason
	Note        string
	// FourEyes makes the request need a second admin.
	FourEyes bool
	Actor    ReissueActor
}

// ReissueNoteMax bounds the free-text note of a reissue and the reason a
// request is rejected for.
const ReissueNoteMax = reissueNoteMax

// Validate reports which fields are wrong: reason (required, invalid), note
// (required when the reason is "other", too long); nil when none.
func (n NewReissueRequest) Validate() FieldErrors {
	errs := FieldErrors{}
	switch {
	case n.Reason == "":
		errs["reason"] = FieldRequired
	case !n.Reason.Valid():
		errs["reason"] = FieldInvalid
	}
	switch {
	case utf8.RuneCountInString(n.Note) > reissueNoteMax:
		errs["note"] = FieldTooLong
	case n.Reason == ReasonOther && strings.TrimSpace(n.Note) == "":
		errs["note"] = FieldRequired
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ReissueConfirmation is step 2's submission.
type ReissueConfirmation struct {
	RequestID string
	// Last4 is what the admin typed as the card's current last 4 digits.
	Last4 string
	// Password is the confirming admin's own password.
	Password string
	// FourEyes is the console's current mode; a request made in four-eyes
	// mode keeps needing a second admin even if the mode is switched off.
	FourEyes bool
	Actor    ReissueActor
	// SecondFactor is the code the admin gave, found right by
	// CheckSecondFactor; nil when none was given or it was refused. For an
	// admin with two-factor sign-in, nil is a wrong code, a wrong try like a
	// wrong password. The code is spent by the reissue it allows: a
	// confirmation refused keeps it, and one another use spent since it was
	// checked is a wrong code.
	SecondFactor *SecondFactor
}

// ReissueRejection is a second admin's refusal of a pending request.
type ReissueRejection struct {
	RequestID string
	Reason    string
	// FourEyes is the console's current mode: with four eyes any admin may
	// reject; without, only the maker may withdraw their own request.
	FourEyes bool
	Actor    ReissueActor
}

// newReissueID returns a random request id (128 bits, hex).
func newReissueID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

const reissueCardCols = `c.id, c.card_holder_name, c.type, c.bin, c.last4, c.exp_month, c.exp_year, c.status, c.balance_cents, c.version,
	(SELECT count(*) FROM card_transactions t WHERE t.card_id = c.id) + (SELECT count(*) FROM card_deposits d WHERE d.card_id = c.id),
	(SELECT count(*) FROM card_tokenizations k WHERE k.card_id = c.id AND k.status != 'DELETED')`

func scanReissueCard(row rowScanner, c *ReissueCard) error {
	return row.Scan(&c.ID, &c.HolderName, &c.Type, &c.BIN, &c.Last4, &c.ExpMonth, &c.ExpYear, &c.Status,
		&c.BalanceCents, &c.Version, &c.Movements, &c.Tokenizations)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func reissueCard(ctx context.Context, db queryRower, id string) (ReissueCard, error) {
	var c ReissueCard
	err := scanReissueCard(db.QueryRowContext(ctx, `SELECT `+reissueCardCols+` FROM cards c WHERE c.id = ?`, id), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return ReissueCard{}, fmt.Errorf("card %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReissueCard{}, fmt.Errorf("card %s: %w", id, err)
	}
	return c, nil
}

// ReissueCard returns the card as the reissue pages show it.
func (s *Store) ReissueCard(ctx context.Context, id string) (ReissueCard, error) {
	c, err := reissueCard(ctx, s.r, id)
	if err != nil {
		return ReissueCard{}, fmt.Errorf("store: reissue %w", err)
	}
	return c, nil
}

const reissueRequestCols = `r.id, r.card_id, r.card_version, COALESCE(r.maker_id, 0), r.maker, r.reason, r.note, r.four_eyes, r.status,
	r.failed_attempts, r.created_at, r.expires_at, r.decided_at, r.checker_id, r.checker, r.decision_note,
	r.old_last4, r.old_exp_month, r.old_exp_year, r.new_last4, r.new_exp_month, r.new_exp_year, ` + reissueCardCols

const reissueRequestFrom = ` FROM reissue_requests r JOIN cards c ON c.id = r.card_id`

func (s *Store) scanReissueRequest(row rowScanner) (ReissueRequest, error) {
	var r ReissueRequest
	var created, expires int64
	var decided, checkerID sql.NullInt64
	var reason string
	err := row.Scan(&r.ID, &r.CardID, &r.CardVersion, &r.MakerID, &r.Maker, &reason, &r.Note, &r.FourEyes, &r.Status,
		&r.FailedAttempts, &created, &expires, &decided, &checkerID, &r.Checker, &r.DecisionNote,
		&r.OldLast4, &r.OldExpMonth, &r.OldExpYear, &r.NewLast4, &r.NewExpMonth, &r.NewExpYear,
		&r.Card.ID, &r.Card.HolderName, &r.Card.Type, &r.Card.BIN, &r.Card.Last4, &r.Card.ExpMonth, &r.Card.ExpYear,
		&r.Card.Status, &r.Card.BalanceCents, &r.Card.Version, &r.Card.Movements, &r.Card.Tokenizations)
	if err != nil {
		return ReissueRequest{}, err
	}
	r.Reason = ReissueReason(reason)
	r.CreatedAt, r.ExpiresAt = time.UnixMilli(created), time.UnixMilli(expires)
	if decided.Valid {
		r.DecidedAt = time.UnixMilli(decided.Int64)
	}
	r.CheckerID = checkerID.Int64
	if r.Status == ReissuePending && s.nowMs() >= expires {
		r.Status = ReissueExpired
	}
	return r, nil
}

func (s *Store) reissueRequest(ctx context.Context, db queryRower, id string) (ReissueRequest, error) {
	r, err := s.scanReissueRequest(db.QueryRowContext(ctx, `SELECT `+reissueRequestCols+reissueRequestFrom+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ReissueRequest{}, fmt.Errorf("reissue request %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return ReissueRequest{}, fmt.Errorf("reissue request %s: %w", id, err)
	}
	return r, nil
}

// ReissueRequestByID returns the request with its card.
func (s *Store) ReissueRequestByID(ctx context.Context, id string) (ReissueRequest, error) {
	r, err := s.reissueRequest(ctx, s.r, id)
	if err != nil {
		return ReissueRequest{}, fmt.Errorf("store: %w", err)
	}
	return r, nil
}

func (s *Store) reissueRequests(ctx context.Context, where string, args ...any) ([]ReissueRequest, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+reissueRequestCols+reissueRequestFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReissueRequest
	for rows.Next() {
		r, err := s.scanReissueRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CardReissues lists a card's reissue requests, newest first: the reissues
// done, and the requests pending, cancelled, rejected or expired.
func (s *Store) CardReissues(ctx context.Context, cardID string) ([]ReissueRequest, error) {
	out, err := s.reissueRequests(ctx, `r.card_id = ? ORDER BY r.created_at DESC, r.id`, cardID)
	if err != nil {
		return nil, fmt.Errorf("store: card %s reissues: %w", cardID, err)
	}
	return out, nil
}

// PendingReissues lists the requests still waiting for step 2, oldest first:
// the four-eyes queue.
func (s *Store) PendingReissues(ctx context.Context) ([]ReissueRequest, error) {
	out, err := s.reissueRequests(ctx, `r.status = 'PENDING' AND r.expires_at > ? ORDER BY r.created_at, r.id`, s.nowMs())
	if err != nil {
		return nil, fmt.Errorf("store: pending reissues: %w", err)
	}
	return out, nil
}

// RecentReissueDecisions lists the latest requests that are no longer
// pending (done, cancelled, rejected or expired), newest first.
func (s *Store) RecentReissueDecisions(ctx context.Context, limit int) ([]ReissueRequest, error) {
	out, err := s.reissueRequests(ctx, `(r.status != 'PENDING' OR r.expires_at <= ?) ORDER BY coalesce(r.decided_at, r.expires_at) DESC, r.id LIMIT ?`,
		s.nowMs(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent reissues: %w", err)
	}
	return out, nil
}

// LatestDoneReissue returns the card's most recent completed reissue, to say
// who reissued a card a stale request points at.
func (s *Store) LatestDoneReissue(ctx context.Context, cardID string) (ReissueRequest, error) {
	out, err := s.reissueRequests(ctx, `r.card_id = ? AND r.status = 'DONE' ORDER BY r.decided_at DESC, r.id LIMIT 1`, cardID)
	if err != nil {
		return ReissueRequest{}, fmt.Errorf("store: card %s latest reissue: %w", cardID, err)
	}
	if len(out) == 0 {
		return ReissueRequest{}, fmt.Errorf("store: card %s latest reissue: %w", cardID, ErrNotFound)
	}
	return out[0], nil
}

func (a ReissueActor) audit(action, cardID, result, detail string) AuditEntry {
	return AuditEntry{Actor: a.Username, ActorLevel: a.Level, RemoteAddr: a.RemoteAddr, Action: action,
		TargetType: "card", TargetID: cardID, Result: result, Detail: detail}
}

// CreateReissueRequest is step 1: it records a request bound to the admin,
// the card and the card's current version, valid for ReissueTTL. A DELETED
// card is refused with ErrCardDeleted, a card that changed since the admin
// read it with ErrReissueCardChanged, an unknown one with ErrNotFound. Every
// outcome is audited against the card.
func (s *Store) CreateReissueRequest(ctx context.Context, n NewReissueRequest) (ReissueRequest, error) {
	if err := n.Validate(); err != nil {
		return ReissueRequest{}, fmt.Errorf("store: reissue card %s: %w", n.CardID, err)
	}
	n.Note = strings.TrimSpace(n.Note)
	id := newReissueID()
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := reissueCard(ctx, tx, n.CardID)
		if err != nil {
			return err
		}
		switch {
		case c.Status == "DELETED":
			refusal = ErrCardDeleted
		case c.Version != n.SeenVersion:
			refusal = ErrReissueCardChanged
		}
		if refusal != nil {
			return s.auditTx(ctx, tx, n.Actor.audit(AuditReissueRequest, c.ID, ResultRefused, refusal.Error()))
		}
		now := s.nowMs()
		if _, err := tx.ExecContext(ctx, `INSERT INTO reissue_requests(id, card_id, card_version, maker_id, maker, reason, note,
			four_eyes, status, created_at, expires_at, old_last4, old_exp_month, old_exp_year)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, ?, ?)`,
			id, c.ID, c.Version, n.Actor.UserID, n.Actor.Username, string(n.Reason), n.Note, n.FourEyes,
			now, now+ReissueTTL.Milliseconds(), c.Last4, c.ExpMonth, c.ExpYear); err != nil {
			return err
		}
		detail := fmt.Sprintf("request %s; reason %s", id, n.Reason.Label())
		if n.Note != "" {
			detail += "; note: " + n.Note
		}
		if n.FourEyes {
			detail += "; four-eyes: waits for a second admin"
		}
		return s.auditTx(ctx, tx, n.Actor.audit(AuditReissueRequest, c.ID, ResultOK, detail))
	})
	if err != nil {
		return ReissueRequest{}, fmt.Errorf("store: reissue card %s: %w", n.CardID, err)
	}
	if refusal != nil {
		return ReissueRequest{}, fmt.Errorf("store: reissue card %s: %w", n.CardID, refusal)
	}
	return s.ReissueRequestByID(ctx, id)
}

// closeRequest ends a pending request with a status and a note. It is a
// conditional update: a request that is no longer pending is left alone.
func closeRequest(ctx context.Context, tx *sql.Tx, id, status, note string, now int64, checker ReissueActor) error {
	var checkerID any
	if checker.UserID != 0 {
		checkerID = checker.UserID
	}
	_, err := tx.ExecContext(ctx, `UPDATE reissue_requests SET status = ?, decision_note = ?, decided_at = ?,
		checker_id = coalesce(?, checker_id), checker = CASE WHEN ? = '' THEN checker ELSE ? END
		WHERE id = ? AND status = 'PENDING'`, status, note, now, checkerID, checker.Username, checker.Username, id)
	return err
}

// ConfirmReissue is step 2. It checks, in this order, that the request is
// still pending and within its time, that the actor may confirm it (the
// maker; in four-eyes mode an admin other than the maker whom the maker does
// not control: ReissueCheckerError), that the card is not
// deleted and has not changed since step 1, and that the last 4 and the
// actor's password are right. Then, in the same transaction, it reissues the
// card: a new number on the same BIN (Luhn-valid, never used by any card,
// its last 4 unlike any the card had; its CVV is the provider's and never
// reaches the console), a new expiry at the end of the month three years
// ahead, the old number marked inactive, the card's version bumped. An
// EXPIRED card becomes ACTIVE with its new number (ReissueStatus), with a
// status-history row; any other status, the balance, movements, limits and
// tokenizations are not touched.
//
// Every attempt is audited against the card. Wrong last 4 or password count
// towards ReissueMaxAttempts; the last one cancels the request. Wrong
// passwords also count per admin across requests: MaxStepUpFails within
// StepUpWindow end every session of the admin and return ErrStepUpLockout. The returned
// request is its state afterwards, also on refusal (unless ErrNotFound).
//
// The request is marked used and the card updated with conditional UPDATEs
// inside one IMMEDIATE transaction, so of any number of concurrent
// confirmations exactly one reissues the card; the others get ErrReissueDone.
func (s *Store) ConfirmReissue(ctx context.Context, c ReissueConfirmation) (ReissueRequest, error) {
	wrap := func(err error) error { return fmt.Errorf("store: confirm reissue %s: %w", c.RequestID, err) }
	// bcrypt is slow on purpose: check the password before taking the
	// single writer, so concurrent confirmations do not queue behind it.
	u, err := s.UserByID(ctx, c.Actor.UserID)
	if err != nil {
		return ReissueRequest{}, wrap(err)
	}
	// Wrong passwords also count per admin across requests; too many end
	// the admin's sessions (ErrStepUpLockout) and nothing else happens.
	passwordOK, err := s.checkStepUp(ctx, u, c.Password, c.Actor.Actor(), "at reissue step 2 of request "+c.RequestID)
	if err != nil {
		return ReissueRequest{}, wrap(err)
	}
	key := s.panKey

	var refusal error
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		req, err := s.reissueRequest(ctx, tx, c.RequestID)
		if err != nil {
			return err
		}
		// The confirmer as they are now, inside the transaction, so a
		// password reset or promotion committed a moment ago counts.
		checker, err := userTx(ctx, tx, c.Actor.UserID)
		if err != nil {
			return err
		}
		now := s.nowMs()
		r := confirmRefusal(req, c, checker)
		if r == nil {
			r = wrongConfirmation(req, c.Last4, passwordOK, !checker.TwoFactor() || c.SecondFactor != nil)
		}
		if r == nil && c.SecondFactor != nil {
			err := c.SecondFactor.spendTx(ctx, tx, now)
			if errors.Is(err, ErrCodeReused) || errors.Is(err, ErrCodeWrong) {
				r = wrongConfirmation(req, c.Last4, passwordOK, false)
			} else if err != nil {
				return err
			}
		}
		if r == nil {
			return s.reissueTx(ctx, tx, key, req, c.Actor, now)
		}
		if r.wrongTry {
			if _, err := tx.ExecContext(ctx, `UPDATE reissue_requests SET failed_attempts = failed_attempts + 1 WHERE id = ? AND status = 'PENDING'`, req.ID); err != nil {
				return err
			}
		}
		if r.closeAs != "" {
			if err := closeRequest(ctx, tx, req.ID, r.closeAs, r.closeNote, now, ReissueActor{}); err != nil {
				return err
			}
		}
		refusal = r.err
		return s.auditTx(ctx, tx, c.Actor.audit(AuditReissueConfirm, req.CardID, ResultRefused,
			fmt.Sprintf("request %s: %s", req.ID, r.detail)))
	})
	if errors.Is(err, errLostRace) {
		// The request expired or the card changed between the checks and
		// the conditional updates; everything was rolled back.
		refusal, err = ErrReissueCardChanged, nil
	}
	if err != nil {
		return ReissueRequest{}, wrap(err)
	}
	req, err := s.ReissueRequestByID(ctx, c.RequestID)
	if err != nil {
		return ReissueRequest{}, wrap(err)
	}
	if refusal != nil {
		return req, wrap(refusal)
	}
	s.cardChanged(req.CardID)
	return req, nil
}

// confirmRefusal is why a step-2 confirmation is refused whatever was typed
// (the request is used, closed or expired, not this admin's to confirm, in
// four-eyes mode the confirmer is an account the maker controls, or its
// card was deleted or changed), nil when it may go on. checker is the
// confirming admin's account.
func confirmRefusal(req ReissueRequest, c ReissueConfirmation, checker User) *reissueRefusal {
	switch req.Status {
	case ReissueDone:
		return &reissueRefusal{err: ErrReissueDone,
			detail: fmt.Sprintf("already used: the card was reissued by %s (new last 4 %s)", req.Checker, req.NewLast4)}
	case ReissueCancelled, ReissueRejected:
		return &reissueRefusal{err: ErrReissueClosed, detail: "request is " + strings.ToLower(req.Status)}
	case ReissueExpired:
		return &reissueRefusal{err: ErrReissueExpired, detail: "request expired", closeAs: ReissueExpired, closeNote: expiredNote}
	}
	fourEyes := req.FourEyes || c.FourEyes
	switch {
	case fourEyes && c.Actor.UserID == req.MakerID:
		return &reissueRefusal{err: ErrReissueOwnRequest, detail: "four-eyes: the maker may not confirm their own request"}
	case !fourEyes && c.Actor.UserID != req.MakerID:
		return &reissueRefusal{err: ErrReissueNotYours, detail: "the request belongs to " + req.Maker}
	}
	if fourEyes {
		if e := checkerControl(req, checker); e != nil {
			return &reissueRefusal{err: e, detail: "four-eyes: not a second person: " + e.Error()}
		}
	}
	switch {
	case req.Card.Status == "DELETED":
		return &reissueRefusal{err: ErrCardDeleted, detail: "the card is deleted", closeAs: ReissueCancelled, closeNote: "the card was deleted"}
	case req.Card.Version != req.CardVersion:
		return &reissueRefusal{err: ErrReissueCardChanged, closeAs: ReissueCancelled, closeNote: "the card changed since step 1",
			detail: fmt.Sprintf("the card changed since the request was made (version %d → %d)", req.CardVersion, req.Card.Version)}
	}
	return nil
}

// wrongConfirmation is the refusal of a wrong last 4, password or code: a
// wrong try, and the last allowed one cancels the request. Nil when all
// were right.
func wrongConfirmation(req ReissueRequest, last4 string, passwordOK, codeOK bool) *reissueRefusal {
	var errs []error
	var what []string
	if last4 != req.Card.Last4 {
		errs, what = append(errs, ErrReissueWrongLast4), append(what, "wrong last 4")
	}
	if !passwordOK {
		errs, what = append(errs, ErrReissueWrongPassword), append(what, "wrong password")
	}
	if !codeOK {
		errs, what = append(errs, ErrReissueWrongCode), append(what, "wrong two-factor code")
	}
	if len(errs) == 0 {
		return nil
	}
	attempts := req.FailedAttempts + 1
	r := &reissueRefusal{wrongTry: true, detail: fmt.Sprintf("%s (attempt %d of %d)", strings.Join(what, " and "), attempts, ReissueMaxAttempts)}
	if attempts >= ReissueMaxAttempts {
		errs = append(errs, ErrReissueTooManyAttempts)
		r.detail += "; request cancelled"
		r.closeAs, r.closeNote = ReissueCancelled, "too many wrong attempts"
	}
	r.err = errors.Join(errs...)
	return r
}

// reissueRefusal is a refused confirmation: the error for the caller, the
// audit detail, whether it counts as a wrong try, and the state the request
// is closed in ("" leaves it open).
type reissueRefusal struct {
	err       error
	detail    string
	wrongTry  bool
	closeAs   string
	closeNote string
}

// errLostRace is returned inside the transaction when a conditional update
// finds the row changed; with the single writer it cannot happen, the check
// is the last line of defence.
var errLostRace = errors.New("lost a race with another confirmation")

// reissueTx executes a checked request.
func (s *Store) reissueTx(ctx context.Context, tx *sql.Tx, key []byte, req ReissueRequest, actor ReissueActor, now int64) error {
	// Claim the request first: only a PENDING, unexpired request turns DONE.
	res, err := tx.ExecContext(ctx, `UPDATE reissue_requests SET status = 'DONE', decided_at = ?, checker_id = ?, checker = ?
		WHERE id = ? AND status = 'PENDING' AND expires_at > ?`, now, actor.UserID, actor.Username, req.ID, now)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errLostRace
	}

	last4, expMonth, expYear, err := s.renumberTx(ctx, tx, key, req.Card, req.CardVersion, now)
	if err != nil {
		return err
	}
	renewed, err := renewExpiredTx(ctx, tx, req.Card, last4, actor.Username, req.ID, now)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reissue_requests SET new_last4 = ?, new_exp_month = ?, new_exp_year = ? WHERE id = ?`,
		last4, expMonth, expYear, req.ID); err != nil {
		return err
	}
	detail := fmt.Sprintf("request %s; reason %s", req.ID, req.Reason.Label())
	if req.Note != "" {
		detail += "; note: " + req.Note
	}
	detail += fmt.Sprintf("; last 4 %s → %s; expiry %02d/%d → %02d/%d; prepared by %s, confirmed by %s",
		req.Card.Last4, last4, req.Card.ExpMonth, req.Card.ExpYear, expMonth, expYear, req.Maker, actor.Username)
	if renewed {
		detail += "; status EXPIRED → ACTIVE"
	}
	return s.auditTx(ctx, tx, actor.audit(AuditCardReissue, req.CardID, ResultOK, detail))
}

// renumberTx is the core of every reissue, two-step or one-step: a new
// number on the card's BIN (Luhn-valid, never used by any card, its last 4
// unlike any the card had), a new expiry, the
// old number marked inactive and the card's version bumped, conditional on
// version and never on a DELETED card (errLostRace otherwise). The caller
// writes the audit row in the same transaction.
func (s *Store) renumberTx(ctx context.Context, tx *sql.Tx, key []byte, card ReissueCard, version, now int64) (last4 string, expMonth, expYear int, err error) {
	// Every number the card has had: the new one must differ from all of
	// them, and so must its last 4, so support can tell them apart.
	var formerLast4 []string
	rows, err := tx.QueryContext(ctx, `SELECT last4 FROM card_numbers WHERE card_id = ?`, card.ID)
	if err != nil {
		return "", 0, 0, err
	}
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			rows.Close()
			return "", 0, 0, err
		}
		formerLast4 = append(formerLast4, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", 0, 0, err
	}
	formerLast4 = append(formerLast4, card.Last4)

	pan, hash, err := s.freshPAN(ctx, tx, key, card.BIN, formerLast4)
	if err != nil {
		return "", 0, 0, err
	}
	// No CVV is drawn: in production the provider issues it with the new
	// number and hands it to the cardholder over its own card-data channel
	// (the single-use PAN link), which the sandbox does not have. The console
	// never stores or shows a CVV, not even hashed (a keyed hash of three
	// digits falls to 1000 guesses by anyone holding the key), so a value
	// drawn here could only be thrown away. The old CVV dies with the old
	// number, which is marked inactive below.
	expMonth, expYear = ReissueExpiry(time.UnixMilli(now))
	last4 = pan[len(pan)-4:]

	// The card: number, expiry and version only; conditional on the version
	// the request was made at, and never a DELETED card.
	res, err := tx.ExecContext(ctx, `UPDATE cards SET last4 = ?, exp_month = ?, exp_year = ?, version = version + 1, updated_at = ?
		WHERE id = ? AND version = ? AND status != 'DELETED'`, last4, expMonth, expYear, now, card.ID, version)
	if err != nil {
		return "", 0, 0, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", 0, 0, errLostRace
	}
	if _, err := tx.ExecContext(ctx, `UPDATE card_numbers SET inactive_since = ? WHERE card_id = ? AND inactive_since IS NULL`, now, card.ID); err != nil {
		return "", 0, 0, err
	}
	// card_key is the card's rowid, the key its searches are merged and
	// paged on (migration 0032).
	if _, err := tx.ExecContext(ctx, `INSERT INTO card_numbers(card_id, card_key, first6, last4, pan_hash, exp_month, exp_year, active_from)
		VALUES (?, (SELECT rowid FROM cards WHERE id = ?), ?, ?, ?, ?, ?, ?)`, card.ID, card.ID, pan[:BINLength], last4, hash, expMonth, expYear, now); err != nil {
		return "", 0, 0, err
	}
	return last4, expMonth, expYear, nil
}

// ReissueStatus is the status a card in status has after a reissue: an
// EXPIRED card expired because its number's expiry passed, and a reissue
// gives it a new number and expiry, so it becomes ACTIVE; every other status
// was decided for the card, not its number (a freeze, a block), and is kept.
// A DELETED card is not reissued at all (ErrCardDeleted).
func ReissueStatus(status string) string {
	if status == "EXPIRED" {
		return "ACTIVE"
	}
	return status
}

// renewExpiredTx makes an EXPIRED card that renumberTx has just given a new
// number ACTIVE (ReissueStatus), with its status-history row naming the
// reissue request; it reports whether it did. The caller audits it in the
// same transaction. The update is conditional on the status, so a card
// that is no longer EXPIRED is left alone.
func renewExpiredTx(ctx context.Context, tx *sql.Tx, card ReissueCard, newLast4, actor, requestID string, now int64) (bool, error) {
	to := ReissueStatus(card.Status)
	if to == card.Status {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE cards SET status = ? WHERE id = ? AND status = ?`, to, card.ID, card.Status)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, errLostRace
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO card_status_history(card_id, from_status, to_status, reason, note, actor, at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, card.ID, card.Status, to, string(StatusReasonReissue),
		fmt.Sprintf("reissued: new number •••• %s (request %s)", newLast4, requestID), actor, now); err != nil {
		return false, err
	}
	return true, nil
}

// freshPAN draws card numbers on bin until one is unused by every card (its
// keyed hash is not in card_numbers) and its last 4 is not in avoidLast4.
// It returns the number, which the caller must not keep, and its hash.
func (s *Store) freshPAN(ctx context.Context, tx *sql.Tx, key []byte, bin string, avoidLast4 []string) (string, []byte, error) {
	for range newPANTries {
		pan, err := s.newPAN(bin)
		if err != nil {
			return "", nil, err
		}
		if containsLast4(avoidLast4, pan[len(pan)-4:]) {
			continue
		}
		hash := HashPAN(key, pan)
		var used bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM card_numbers WHERE pan_hash = ?)`, hash).Scan(&used); err != nil {
			return "", nil, err
		}
		if !used {
			return pan, hash, nil
		}
	}
	return "", nil, fmt.Errorf("no unused number found on BIN %s in %d tries", bin, newPANTries)
}

func containsLast4(list []string, l string) bool {
	for _, x := range list {
		if x == l {
			return true
		}
	}
	return false
}

// NewReissueExpiry is the expiry a reissue confirmed now gives, by the
// store's clock.
func (s *Store) NewReissueExpiry() (month, year int) { return ReissueExpiry(s.now()) }

// ReissueExpiry is the expiry of a number issued at t: the end of the same
// month three years ahead (a card's MM/YY is valid through that month's
// last day). Step 1 names it before the admin decides.
func ReissueExpiry(t time.Time) (month, year int) {
	t = t.UTC()
	return int(t.Month()), t.Year() + 3
}

// RejectReissue lets an admin turn down a pending request with a reason
// (the four-eyes checker's "no", or the maker withdrawing it). It is audited
// against the card; a request no longer pending is refused with
// ErrReissueDone, ErrReissueClosed or ErrReissueExpired, another admin's
// request outside four-eyes mode with ErrReissueNotYours.
func (s *Store) RejectReissue(ctx context.Context, rj ReissueRejection) (ReissueRequest, error) {
	wrap := func(err error) error { return fmt.Errorf("store: reject reissue %s: %w", rj.RequestID, err) }
	reason := strings.TrimSpace(rj.Reason)
	if reason == "" {
		return ReissueRequest{}, wrap(errors.New("a reason is required"))
	}
	if utf8.RuneCountInString(reason) > reissueNoteMax {
		return ReissueRequest{}, wrap(fmt.Errorf("the reason must be at most %d characters", reissueNoteMax))
	}
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		req, err := s.reissueRequest(ctx, tx, rj.RequestID)
		if err != nil {
			return err
		}
		now := s.nowMs()
		switch req.Status {
		case ReissueDone:
			refusal = ErrReissueDone
		case ReissueCancelled, ReissueRejected:
			refusal = ErrReissueClosed
		case ReissueExpired:
			refusal = ErrReissueExpired
			if err := closeRequest(ctx, tx, req.ID, ReissueExpired, expiredNote, now, ReissueActor{}); err != nil {
				return err
			}
		default:
			if !req.FourEyes && !rj.FourEyes && rj.Actor.UserID != req.MakerID {
				refusal = ErrReissueNotYours
			}
		}
		if refusal != nil {
			return s.auditTx(ctx, tx, rj.Actor.audit(AuditReissueReject, req.CardID, ResultRefused,
				fmt.Sprintf("request %s: %s", req.ID, refusal)))
		}
		if err := closeRequest(ctx, tx, req.ID, ReissueRejected, reason, now, rj.Actor); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, rj.Actor.audit(AuditReissueReject, req.CardID, ResultOK,
			fmt.Sprintf("request %s by %s rejected: %s", req.ID, req.Maker, reason)))
	})
	if err != nil {
		return ReissueRequest{}, wrap(err)
	}
	req, err := s.ReissueRequestByID(ctx, rj.RequestID)
	if err != nil {
		return ReissueRequest{}, wrap(err)
	}
	if refusal != nil {
		return req, wrap(refusal)
	}
	return req, nil
}
