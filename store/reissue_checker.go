package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrReissueNotIndependent: in four-eyes mode the confirming admin is an
// account the maker controls, so their confirmation would not be a second
// person's. It comes as a *ReissueCheckerError, which says how.
var ErrReissueNotIndependent = errors.New("in four-eyes mode the second admin must be an account the maker does not control")

// CheckerControl is how a maker controls a would-be second admin.
type CheckerControl int

// The ways a maker controls an account (migration 0026 records them, each in
// the transaction of the change).
const (
	// CheckerCredentialsByMaker: the maker chose the account's password
	// (created it in the console, or reset its password) or turned its
	// two-factor off, and no one but the maker (the command line, another
	// admin) has set its password since. The person changing it themselves
	// does not lift it: the maker, who knew the password, could have made
	// that change (a new account's first sign-in makes it).
	CheckerCredentialsByMaker CheckerControl = iota + 1
	// CheckerMadeAdminByMaker: the maker made the account an admin
	// (created it at level 3 or promoted it), and no other admin has since.
	CheckerMadeAdminByMaker
	// CheckerAdminAfterRequest: the account became an admin after the
	// request was prepared.
	CheckerAdminAfterRequest
)

// ReissueCheckerError is the refusal of a second admin the maker controls.
type ReissueCheckerError struct {
	Control CheckerControl
	// Maker is who prepared the request; Checker who tried to confirm it.
	Maker, Checker string
	// At is when the maker set the password (CheckerCredentialsByMaker,
	// zero when it was a two-factor reset) or when the account became an
	// admin (the others).
	At time.Time
}

func (e *ReissueCheckerError) Error() string {
	switch e.Control {
	case CheckerCredentialsByMaker:
		return fmt.Sprintf("%s's password or two-factor was last set by the maker %s", e.Checker, e.Maker)
	case CheckerMadeAdminByMaker:
		return fmt.Sprintf("%s was made an admin by the maker %s", e.Checker, e.Maker)
	default:
		return fmt.Sprintf("%s became an admin after the request was prepared", e.Checker)
	}
}

// Unwrap makes the error ErrReissueNotIndependent.
func (e *ReissueCheckerError) Unwrap() error { return ErrReissueNotIndependent }

// checkerControl reports how the maker of req controls u, the admin who
// would confirm it in four-eyes mode, or nil when they do not as far as the
// store can tell (two admins who collude are two accounts it cannot tell
// from two honest ones).
func checkerControl(req ReissueRequest, u User) *ReissueCheckerError {
	e := &ReissueCheckerError{Maker: req.Maker, Checker: u.Username}
	switch {
	case req.MakerID != 0 && u.credentialsSetBy == req.MakerID:
		e.Control = CheckerCredentialsByMaker
		if u.credentialsSetAt != 0 {
			e.At = time.UnixMilli(u.credentialsSetAt)
		}
	case req.MakerID != 0 && u.adminBy == req.MakerID:
		e.Control, e.At = CheckerMadeAdminByMaker, time.UnixMilli(u.adminSince)
	case u.adminSince > req.CreatedAt.UnixMilli():
		e.Control, e.At = CheckerAdminAfterRequest, time.UnixMilli(u.adminSince)
	default:
		return nil
	}
	return e
}

// ReissueCheckerRefusal reports whether the user may be the second admin of
// req in four-eyes mode: nil when they may, a *ReissueCheckerError
// (ErrReissueNotIndependent) when the maker controls the account. The
// request page asks it to offer no form that would be refused;
// ConfirmReissue checks the same inside its transaction.
func (s *Store) ReissueCheckerRefusal(ctx context.Context, req ReissueRequest, userID int64) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return fmt.Errorf("store: second admin of reissue %s: %w", req.ID, err)
	}
	if e := checkerControl(req, u); e != nil {
		return e
	}
	return nil
}

// userTx reads a user inside a transaction.
func userTx(ctx context.Context, tx *sql.Tx, id int64) (User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}
