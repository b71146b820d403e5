package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Sign-in throttling. Every password check is counted before it is made: a
// row in auth_failures is written first, in the same IMMEDIATE transaction
// that counts the rows already there, and deleted only if the password was
// right. So guesses sent in parallel cannot outrun the count, and a restart
// forgets nothing.
const (
	// SignInWindow is the window of the per-address limits.
	SignInWindow = 15 * time.Minute
	// MaxFailsPerAccountAddress failures for one account from one address
	// block that account from that address only: the owner elsewhere is not
	// locked out.
	MaxFailsPerAccountAddress = 5
	// MaxFailsPerAddress failures from one address, whatever the accounts,
	// block the address.
	MaxFailsPerAddress = 20
	// AccountWindow and MaxFailsPerAccount are the slower limit per account
	// from all addresses together, against guessing from many addresses.
	AccountWindow      = time.Hour
	MaxFailsPerAccount = 50

	// StepUpWindow and MaxStepUpFails bound wrong passwords typed while
	// signed in (the reissue step-up, across every request, and the
	// current password on the password form): the one that reaches the
	// limit ends all the user's sessions. It is twice a reissue request's
	// own limit (ReissueMaxAttempts), so typos on one request cancel that
	// request first.
	StepUpWindow   = 15 * time.Minute
	MaxStepUpFails = 2 * ReissueMaxAttempts
)

const (
	kindSignIn = "sign_in"
	kindStepUp = "step_up"
	// failureKeep is how long a failure row can matter.
	failureKeep = max(SignInWindow, AccountWindow, StepUpWindow)
)

// ErrThrottled matches every *ThrottledError.
var ErrThrottled = errors.New("too many failed sign-ins")

// ThrottledError is a sign-in refused before the password was checked.
type ThrottledError struct {
	// Wait is how long until the limit that was hit lets a try through.
	Wait time.Duration
	// Limit names the limit in words, for the audit log.
	Limit string
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins for %s: wait %s", e.Limit, e.Wait.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// ErrStepUpLockout: too many wrong passwords typed while signed in (the
// reissue step-up, the password form) within StepUpWindow; every session of
// the user was ended.
var ErrStepUpLockout = errors.New("too many wrong passwords: signed out")

// SignInSlot is a password check counted in advance by ReserveSignIn.
type SignInSlot struct {
	id      int64
	account string
	address string
}

// throttleAccount is the key a username is counted under: as typed, trimmed,
// lower-cased and bounded.
func throttleAccount(username string) string {
	return Cut(strings.ToLower(strings.TrimSpace(username)), AnonymousValueMax)
}

// ThrottleAddress is the key a peer address is counted under: an IPv4
// address as it is, an IPv6 address as its /64 (one subscriber's share).
func ThrottleAddress(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return Cut(addr, 64)
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// ReserveSignIn counts a sign-in for username from address before its
// password is checked. When a limit is reached it returns a *ThrottledError
// (errors.Is ErrThrottled) and the password must not be checked. Otherwise
// the slot counts as a failure until SignIn or ReleaseSignIn.
func (s *Store) ReserveSignIn(ctx context.Context, username, address string) (SignInSlot, error) {
	slot := SignInSlot{account: throttleAccount(username), address: ThrottleAddress(address)}
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE at <= ?`, now.Add(-failureKeep).UnixMilli()); err != nil {
			return err
		}
		for _, l := range []struct {
			what   string
			cond   string
			args   []any
			limit  int
			window time.Duration
		}{
			{"this account from this address", `account = ? AND address = ?`, []any{slot.account, slot.address}, MaxFailsPerAccountAddress, SignInWindow},
			{"this address", `address = ?`, []any{slot.address}, MaxFailsPerAddress, SignInWindow},
			{"this account", `account = ?`, []any{slot.account}, MaxFailsPerAccount, AccountWindow},
		} {
			wait, err := failureWait(ctx, tx, now, kindSignIn, l.cond, l.args, l.limit, l.window)
			if err != nil {
				return err
			}
			if wait > 0 {
				refusal = &ThrottledError{Wait: wait, Limit: l.what}
				return nil
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO auth_failures(kind, account, address, at) VALUES (?, ?, ?, ?)`,
			kindSignIn, slot.account, slot.address, now.UnixMilli())
		if err != nil {
			return err
		}
		slot.id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return SignInSlot{}, fmt.Errorf("store: reserve sign-in: %w", err)
	}
	if refusal != nil {
		return SignInSlot{}, fmt.Errorf("store: reserve sign-in: %w", refusal)
	}
	return slot, nil
}

// failureWait reports how long until fewer than limit failures of kind that
// match cond are left in the window; zero when there are fewer already.
func failureWait(ctx context.Context, db queryRower, now time.Time, kind, cond string, args []any, limit int, window time.Duration) (time.Duration, error) {
	var at int64
	q := `SELECT at FROM auth_failures WHERE kind = ? AND ` + cond + ` AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?`
	a := append(append([]any{kind}, args...), now.Add(-window).UnixMilli(), limit-1)
	err := db.QueryRowContext(ctx, q, a...).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return max(time.Millisecond, time.UnixMilli(at).Add(window).Sub(now)), nil
}

// signInSucceededTx settles a slot whose sign-in passed (SignIn): the slot
// and the account's earlier failures from the same address are forgotten,
// and so are its step-up failures (whoever signs in knows the password).
// Failures from other addresses still count towards the account's limit.
func signInSucceededTx(ctx context.Context, tx *sql.Tx, slot SignInSlot) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE id = ? OR (kind = ? AND account = ? AND address = ?)
		OR (kind = ? AND account = ?)`, slot.id, kindSignIn, slot.account, slot.address, kindStepUp, slot.account)
	if err != nil {
		return fmt.Errorf("settle the sign-in's throttle slot: %w", err)
	}
	return nil
}

// ReleaseSignIn gives back a slot whose password could not be checked (the
// database failed): it does not count as a failure.
func (s *Store) ReleaseSignIn(ctx context.Context, slot SignInSlot) error {
	if _, err := s.exec(ctx, `DELETE FROM auth_failures WHERE id = ?`, slot.id); err != nil {
		return fmt.Errorf("store: release sign-in: %w", err)
	}
	return nil
}

// UnlockUser forgets every failed sign-in and step-up of the account, from
// every address, so its owner may sign in at once; actor is who asked, for
// the audit row (the command line, when no admin can sign in; admins use
// UnlockUserChange). It reports how many failures were forgotten.
func (s *Store) UnlockUser(ctx context.Context, username, actor string) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = forgetFailuresTx(ctx, tx, username); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: AuditUserUnlock, TargetType: "user", TargetID: username,
			Result: ResultOK, Detail: fmt.Sprintf("%d failed password checks forgotten", n)})
	})
	if err != nil {
		return 0, fmt.Errorf("store: unlock user %s: %w", username, err)
	}
	return n, nil
}

// UnlockUserChange is an admin's unlock of a user from the users page (c's
// reason is required), audited in the same transaction.
func (s *Store) UnlockUserChange(ctx context.Context, c UserChange) (int64, error) {
	var n int64
	_, err := s.changeUser(ctx, c, AuditUserUnlock, false, func(tx *sql.Tx, u User) (string, error, error) {
		var err error
		n, err = forgetFailuresTx(ctx, tx, u.Username)
		return fmt.Sprintf("%d failed password checks forgotten", n), nil, err
	})
	return n, err
}

func forgetFailuresTx(ctx context.Context, tx *sql.Tx, username string) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM auth_failures WHERE account = ?`, throttleAccount(username))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SignInFailures counts each account's failed sign-ins within
// AccountWindow, by the account as the throttle keys it (throttleAccount).
func (s *Store) SignInFailures(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT account, COUNT(*) FROM auth_failures WHERE kind = ? AND at >= ? GROUP BY account`,
		kindSignIn, s.now().Add(-AccountWindow).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: count sign-in failures: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var account string
		var n int
		if err := rows.Scan(&account, &n); err != nil {
			return nil, fmt.Errorf("store: count sign-in failures: %w", err)
		}
		out[account] = n
	}
	return out, rows.Err()
}

// PausedAddress is an address from which an account's sign-ins are refused
// (MaxFailsPerAccountAddress failures from there within SignInWindow).
type PausedAddress struct {
	// Address is the address as the throttle counts it (an IPv6 one's /64).
	Address string
	// Until is when the failures from there let a try through again.
	Until time.Time
}

// pausedSignIns lists, by account as the throttle keys it, the addresses
// its sign-ins are refused from now, the soonest to end first: the rule of
// ReserveSignIn's first limit, read for every account at once.
func (s *Store) pausedSignIns(ctx context.Context) (map[string][]PausedAddress, error) {
	now := s.now()
	// The limit's own failure (the MaxFailsPerAccountAddress-th newest in
	// the window) is the one that leaves the window last among those that
	// keep the pair refused.
	rows, err := s.r.QueryContext(ctx, `SELECT account, address, at FROM (
			SELECT account, address, at, row_number() OVER (PARTITION BY account, address ORDER BY at DESC) AS n
			FROM auth_failures WHERE kind = ? AND at > ?)
		WHERE n = ? ORDER BY at, address`,
		kindSignIn, now.Add(-SignInWindow).UnixMilli(), MaxFailsPerAccountAddress)
	if err != nil {
		return nil, fmt.Errorf("store: paused sign-ins: %w", err)
	}
	defer rows.Close()
	out := map[string][]PausedAddress{}
	for rows.Next() {
		var account, address string
		var at int64
		if err := rows.Scan(&account, &address, &at); err != nil {
			return nil, fmt.Errorf("store: paused sign-ins: %w", err)
		}
		out[account] = append(out[account], PausedAddress{Address: address, Until: time.UnixMilli(at).Add(SignInWindow)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: paused sign-ins: %w", err)
	}
	return out, nil
}

// checkStepUp checks u's password typed while signed in (where says where,
// for the audit: reissue step 2 of a request, the password form), counted
// per user across every such check. The user's checks run one at a time,
// each seeing the failures before it, so parallel tries cannot outrun the
// count (and parallel right ones, a double submit, are not mistaken for
// guesses). A wrong password that makes MaxStepUpFails within
// StepUpWindow ends every session of the user (audited) and returns
// ErrStepUpLockout; a try when that many are already counted (one that was
// in flight) returns ErrStepUpLockout unchecked, with no second lockout row.
// A right password forgets the user's step-up failures.
func (s *Store) checkStepUp(ctx context.Context, u User, password string, actor Actor, where string) (bool, error) {
	// The wait is bounded as a write is: the check before it holds the
	// lock for one password and one write.
	lctx, cancel := s.writeCtx(ctx)
	unlock, err := s.stepUp.Lock(lctx, u.ID)
	cancel()
	if err != nil {
		return false, fmt.Errorf("wait for %s's other password check: %w", u.Username, ErrBusy)
	}
	defer unlock()
	account := throttleAccount(u.Username)
	wait, err := failureWait(ctx, s.r, s.now(), kindStepUp, `account = ?`, []any{account}, MaxStepUpFails, StepUpWindow)
	if err != nil {
		return false, err
	}
	if wait > 0 {
		// Usually a try that was in flight when another reached the limit:
		// that one ended every session and was audited, so this one is only
		// refused. A session that is still there (none should be: a sign-in
		// forgets the count before it starts one) is ended, and audited
		// then; one started since the count was read is kept, so the count
		// is read again in the transaction.
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			wait, err := failureWait(ctx, tx, s.now(), kindStepUp, `account = ?`, []any{account}, MaxStepUpFails, StepUpWindow)
			if err != nil || wait == 0 {
				return err
			}
			return s.stepUpLockoutTx(ctx, tx, u, actor, where, false)
		})
		if err != nil {
			return false, err
		}
		return false, ErrStepUpLockout
	}
	if u.CheckPassword(password) {
		_, err := s.exec(ctx, `DELETE FROM auth_failures WHERE kind = ? AND account = ?`, kindStepUp, account)
		return true, err
	}
	var locked bool
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_failures(kind, account, address, at) VALUES (?, ?, ?, ?)`,
			kindStepUp, account, ThrottleAddress(actor.RemoteAddr), now.UnixMilli()); err != nil {
			return err
		}
		wait, err := failureWait(ctx, tx, now, kindStepUp, `account = ?`, []any{account}, MaxStepUpFails, StepUpWindow)
		if err != nil || wait == 0 {
			return err
		}
		locked = true
		return s.stepUpLockoutTx(ctx, tx, u, actor, where, true)
	})
	if err != nil {
		return false, err
	}
	if locked {
		return false, ErrStepUpLockout
	}
	return false, nil
}

// stepUpLockoutTx ends every session of u and audits why. reached says
// whether this try's wrong password reached the limit: that try is the
// lockout and always audited. A later try (the limit was reached before it
// was checked) is audited only if it ended a session, so tries that were in
// flight when the lockout came add no row each.
func (s *Store) stepUpLockoutTx(ctx context.Context, tx *sql.Tx, u User, actor Actor, where string, reached bool) error {
	s.sessionsEndedTx(tx)
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("%d wrong passwords while signed in within %d minutes (the last %s): %d session(s) ended",
		MaxStepUpFails, int(StepUpWindow.Minutes()), where, n)
	if !reached {
		if n == 0 {
			return nil
		}
		detail = fmt.Sprintf("a password typed %s while %d wrong ones within %d minutes stood: %d session(s) ended",
			where, MaxStepUpFails, int(StepUpWindow.Minutes()), n)
	}
	return s.auditTx(ctx, tx, actor.audit(AuditUserStepUpLockout, "user", u.Username, ResultRefused, detail))
}
