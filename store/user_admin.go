package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// UserReasonMax bounds the reason an admin gives for a change to a user.
const UserReasonMax = 200

// Refusals of user management that protect the console from lock-out.
var (
	// ErrSelfLockout: an admin may not disable or demote themselves.
	ErrSelfLockout = errors.New("an admin cannot disable or demote themselves")
	// ErrLastAdmin: the change would leave no active admin.
	ErrLastAdmin = errors.New("this is the last active admin")
	// ErrUserUnchanged: the user is already in the asked-for state.
	ErrUserUnchanged = errors.New("the user is already in that state")
	// ErrOwnAccount: an admin's own password and sessions are changed on
	// their account page (which asks for the password), not as another
	// user's.
	ErrOwnAccount = errors.New("an admin's own password and sessions are on their account page")
)

// UserCreate is an admin's new user. An empty Password means the console
// makes a one-time one; either way the user chooses their own at first
// sign-in.
type UserCreate struct {
	Username string
	Level    Level
	Password string
	Actor    Actor
}

// Validate reports which fields are wrong: username (required, too_long,
// invalid: UsernameRule), level (invalid), password (too_short, too_long).
func (c UserCreate) Validate() FieldErrors {
	errs := FieldErrors{}
	if fe := usernameField(c.Username); fe != "" {
		errs["username"] = fe
	}
	if !c.Level.Valid() {
		errs["level"] = FieldInvalid
	}
	if c.Password != "" {
		if fe := passwordField(c.Password); fe != "" {
			errs["password"] = fe
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// passwordField returns the field error code of a new password, "" if fine.
func passwordField(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return FieldTooShort
	case len(pw) > 72: // bcrypt's limit
		return FieldTooLong
	case guessedFirst(pw):
		return FieldWeak
	}
	return ""
}

// guessedFirst reports whether a password of the right length is one that
// a guesser tries first: one character repeated ("aaaaaaaaaa"), a run up or
// down the alphabet, the digits or a keyboard row ("1234567890",
// "qwertyuiop"), or one of the most used passwords. Guessing is also
// throttled; this only keeps the obvious out.
func guessedFirst(pw string) bool {
	p := strings.ToLower(pw)
	if strings.Count(p, p[:1]) == len(p) {
		return true
	}
	for _, run := range []string{"abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv"} {
		if strings.Contains(run, p) || strings.Contains(reverse(run), p) {
			return true
		}
	}
	for _, common := range []string{"password", "passw0rd", "p@ssw0rd", "qwertyuiop", "1234567890", "letmein", "welcome", "iloveyou", "admin", "changeme", "cardops"} {
		if strings.TrimRight(p, "0123456789!.") == common || strings.TrimLeft(p, "0123456789") == common {
			return true
		}
	}
	return false
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// OneTimePassword returns a random password for a new or reset account.
func OneTimePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // nothing that reads as another
	b := make([]byte, 16)
	rand.Read(b)
	out := make([]byte, 0, 19)
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// CreateUserByAdmin stores a new user who must choose their own password at
// first sign-in, with its audit row in the same transaction, and returns the
// user and the password to hand over (the one given, or a one-time one).
// A taken username is FieldErrors{"username": FieldTaken}.
func (s *Store) CreateUserByAdmin(ctx context.Context, c UserCreate) (User, string, error) {
	if errs := c.Validate(); errs != nil {
		return User{}, "", fmt.Errorf("store: create user: %w", errs)
	}
	if c.Password == "" {
		c.Password = OneTimePassword()
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(c.Password), s.bcryptCost)
	if err != nil {
		return User{}, "", fmt.Errorf("store: hash password: %w", err)
	}
	u := User{Username: c.Username, Level: c.Level, passwordHash: hash, CreatedAt: s.nowMs(), MustChangePassword: true}
	var adminSince any
	if u.Level == LevelAdmin {
		adminSince = u.CreatedAt
	}
	var taken bool
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// The creator chose the password (or saw the one-time one), so
		// the account counts as theirs for four-eyes reissue; and so does
		// its admin level, when it is made at level 3.
		res, err := tx.ExecContext(ctx, `INSERT INTO users(username, level, password_hash, created_at, must_change_password,
			credentials_set_by, credentials_set_at, admin_since, admin_by)
			VALUES (?, ?, ?, ?, 1, (`+userIDByName+`), ?, ?, CASE WHEN ? IS NULL THEN NULL ELSE (`+userIDByName+`) END)
			ON CONFLICT(username) DO NOTHING`, u.Username, int(u.Level), string(hash), u.CreatedAt,
			c.Actor.Username, u.CreatedAt, adminSince, adminSince, c.Actor.Username)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			taken = true
			return s.auditTx(ctx, tx, c.Actor.audit(AuditUserCreate, "user", u.Username, ResultRefused, "username taken"))
		}
		u.ID, _ = res.LastInsertId()
		return s.auditTx(ctx, tx, c.Actor.audit(AuditUserCreate, "user", u.Username, ResultOK,
			fmt.Sprintf("level %d; must choose a password at first sign-in", u.Level)))
	})
	if err == nil && taken {
		err = FieldErrors{"username": FieldTaken}
	}
	if err != nil {
		return User{}, "", fmt.Errorf("store: create user %s: %w", c.Username, err)
	}
	return u, c.Password, nil
}

// UserChange is an admin's change to another user: its level (SetUserLevel
// only), disabling, enabling, a password reset, ending its sessions. Reason
// is why, for the audit log.
type UserChange struct {
	UserID int64
	Level  Level
	Reason string
	Actor  Actor
}

// Validate reports which fields are wrong: reason (required, too_long) and,
// when level is true, level (invalid).
func (c UserChange) Validate(level bool) FieldErrors {
	errs := FieldErrors{}
	reason := strings.TrimSpace(c.Reason)
	switch {
	case reason == "":
		errs["reason"] = FieldRequired
	case utf8.RuneCountInString(reason) > UserReasonMax:
		errs["reason"] = FieldTooLong
	}
	if level && !c.Level.Valid() {
		errs["level"] = FieldInvalid
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// changeUser runs one admin change to a user in one transaction: it loads
// the user, lets apply decide (a refusal is audited as refused) and change
// it, and writes the audit row. An unknown user is ErrNotFound.
func (s *Store) changeUser(ctx context.Context, c UserChange, action string, level bool,
	apply func(tx *sql.Tx, u User) (detail string, refusal error, err error)) (User, error) {
	if errs := c.Validate(level); errs != nil {
		return User{}, fmt.Errorf("store: %s %d: %w", action, c.UserID, errs)
	}
	reason := strings.TrimSpace(c.Reason)
	var refusal error
	var u User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, c.UserID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		detail, ref, err := apply(tx, u)
		if err != nil {
			return err
		}
		if ref != nil {
			refusal = ref
			return s.auditTx(ctx, tx, c.Actor.audit(action, "user", u.Username, ResultRefused, ref.Error()+"; reason: "+reason))
		}
		return s.auditTx(ctx, tx, c.Actor.audit(action, "user", u.Username, ResultOK, detail+"; reason: "+reason))
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return u, fmt.Errorf("store: %s %d: %w", action, c.UserID, err)
	}
	return u, nil
}

// keepsAnAdmin refuses taking away u's admin access (demoting or
// disabling) when u is the actor or the last active admin. It runs inside
// the change's IMMEDIATE transaction, so of two admins demoting each other
// at once the second sees the first's change and is refused.
func keepsAnAdmin(ctx context.Context, tx *sql.Tx, actor Actor, u User) error {
	if strings.EqualFold(u.Username, actor.Username) {
		return ErrSelfLockout
	}
	if u.Level != LevelAdmin || u.Disabled() {
		return nil
	}
	var others int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE level = 3 AND disabled_at IS NULL AND id != ?`,
		u.ID).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return ErrLastAdmin
	}
	return nil
}

// endSessionsTx ends every session and half-finished sign-in of the user.
func (s *Store) endSessionsTx(ctx context.Context, tx *sql.Tx, userID int64) (int64, error) {
	s.sessionsEndedTx(tx)
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	_, err = tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE user_id = ?`, userID)
	return n, err
}

// SetUserLevel changes a user's level; a demotion ends the user's sessions
// and revokes the API keys they made above the new level.
// Demoting oneself or the last active admin is refused (ErrSelfLockout,
// ErrLastAdmin), as is the level they have already (ErrUserUnchanged).
func (s *Store) SetUserLevel(ctx context.Context, c UserChange) (User, error) {
	return s.changeUser(ctx, c, AuditUserLevel, true, func(tx *sql.Tx, u User) (string, error, error) {
		if u.Level == c.Level {
			return "", ErrUserUnchanged, nil
		}
		if c.Level < u.Level {
			if err := keepsAnAdmin(ctx, tx, c.Actor, u); err != nil {
				return refusalOr(err)
			}
		}
		// admin_since and admin_by follow the level: four-eyes reissue
		// refuses a second admin whom the maker made one, or who became
		// one after the request (reissue_checker.go).
		var adminSince any
		if c.Level == LevelAdmin {
			adminSince = s.nowMs()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET level = ?, admin_since = ?,
			admin_by = CASE WHEN ? IS NULL THEN NULL ELSE (`+userIDByName+`) END
			WHERE id = ?`, int(c.Level), adminSince, adminSince, c.Actor.Username, u.ID); err != nil {
			return "", nil, err
		}
		detail := fmt.Sprintf("level %d → %d", u.Level, c.Level)
		if c.Level < u.Level {
			// What a session opened at the old level still holds (a live
			// stream of a page the user may no longer see) ends with it,
			// and so do the API keys they made above their new level.
			n, err := s.endSessionsTx(ctx, tx, u.ID)
			if err != nil {
				return "", nil, err
			}
			keys, err := s.revokeKeysOfTx(ctx, tx, c.Actor, u.Username, c.Level,
				fmt.Sprintf("revoked as its creator %s was moved to level %d", u.Username, c.Level))
			if err != nil {
				return "", nil, err
			}
			detail += fmt.Sprintf("; %d session(s) ended; %d API key(s) revoked", n, keys)
		}
		return detail, nil, nil
	})
}

// refusalOr sorts keepsAnAdmin's answer into a refusal or a failure.
func refusalOr(err error) (string, error, error) {
	if errors.Is(err, ErrSelfLockout) || errors.Is(err, ErrLastAdmin) {
		return "", err, nil
	}
	return "", nil, err
}

// DisableUser disables an account, ends its sessions and revokes the API
// keys it made, at once, in one transaction. Disabling oneself or the last active admin is refused.
func (s *Store) DisableUser(ctx context.Context, c UserChange) (User, error) {
	return s.changeUser(ctx, c, AuditUserDisable, false, func(tx *sql.Tx, u User) (string, error, error) {
		if u.Disabled() {
			return "", ErrUserUnchanged, nil
		}
		if err := keepsAnAdmin(ctx, tx, c.Actor, u); err != nil {
			return refusalOr(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, s.nowMs(), u.ID); err != nil {
			return "", nil, err
		}
		n, err := s.endSessionsTx(ctx, tx, u.ID)
		if err != nil {
			return "", nil, err
		}
		keys, err := s.revokeKeysOfTx(ctx, tx, c.Actor, u.Username, 0, "revoked as its creator "+u.Username+" was disabled")
		return fmt.Sprintf("disabled; %d session(s) ended; %d API key(s) revoked", n, keys), nil, err
	})
}

// EnableUser enables a disabled account.
func (s *Store) EnableUser(ctx context.Context, c UserChange) (User, error) {
	return s.changeUser(ctx, c, AuditUserEnable, false, func(tx *sql.Tx, u User) (string, error, error) {
		if !u.Disabled() {
			return "", ErrUserUnchanged, nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = NULL WHERE id = ?`, u.ID)
		return "enabled", nil, err
	})
}

// ResetUserPassword gives the user a new one-time password, which it
// returns, ends their sessions, and makes them choose their own password at
// their next sign-in. The account then counts as the actor's for four-eyes
// reissue, whatever the user changes afterwards (reissue_checker.go).
func (s *Store) ResetUserPassword(ctx context.Context, c UserChange) (User, string, error) {
	pw := OneTimePassword()
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), s.bcryptCost)
	if err != nil {
		return User{}, "", fmt.Errorf("store: hash password: %w", err)
	}
	u, err := s.changeUser(ctx, c, AuditUserPasswordReset, false, func(tx *sql.Tx, u User) (string, error, error) {
		if strings.EqualFold(u.Username, c.Actor.Username) {
			return "", ErrOwnAccount, nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = 1,
			credentials_set_by = (`+userIDByName+`), credentials_set_at = ? WHERE id = ?`,
			string(hash), c.Actor.Username, s.nowMs(), u.ID); err != nil {
			return "", nil, err
		}
		n, err := s.endSessionsTx(ctx, tx, u.ID)
		return fmt.Sprintf("one-time password set; %d session(s) ended", n), nil, err
	})
	if err != nil {
		return u, "", err
	}
	return u, pw, nil
}

// EndUserSessions ends every session of the user and returns how many. An
// admin's own are refused (ErrOwnAccount), as is resetting their own
// password: both are on their account page.
func (s *Store) EndUserSessions(ctx context.Context, c UserChange) (int64, error) {
	var ended int64
	_, err := s.changeUser(ctx, c, AuditUserSessionsEnd, false, func(tx *sql.Tx, u User) (string, error, error) {
		if strings.EqualFold(u.Username, c.Actor.Username) {
			return "", ErrOwnAccount, nil
		}
		n, err := s.endSessionsTx(ctx, tx, u.ID)
		ended = n
		return fmt.Sprintf("%d session(s) ended", n), nil, err
	})
	return ended, err
}

// UserSummary is one line of the users list.
type UserSummary struct {
	User
	// Sessions is how many live sessions the user has.
	Sessions int
	// FailedSignIns is how many failed sign-ins are counted against the
	// account (within AccountWindow); Locked reports whether they reach
	// the limit that refuses it from every address.
	FailedSignIns int
	Locked        bool
	// Paused lists the addresses the account's sign-ins are refused from
	// (too many failures from each), the soonest to end first; the account
	// may still sign in from elsewhere. Only admins may see them.
	Paused []PausedAddress
}

// UserSummaries lists every user by name with their live session count,
// their failed sign-ins and the addresses their sign-ins are refused from.
func (s *Store) UserSummaries(ctx context.Context) ([]UserSummary, error) {
	users, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.r.QueryContext(ctx, `SELECT user_id, COUNT(*) FROM sessions WHERE last_seen_at >= ? AND created_at >= ? GROUP BY user_id`,
		now.Add(-IdleTimeout).UnixMilli(), now.Add(-AbsoluteTimeout).UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: count sessions: %w", err)
	}
	defer rows.Close()
	counts := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: count sessions: %w", err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: count sessions: %w", err)
	}
	failures, err := s.SignInFailures(ctx)
	if err != nil {
		return nil, err
	}
	paused, err := s.pausedSignIns(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]UserSummary, len(users))
	for i, u := range users {
		account := throttleAccount(u.Username)
		f := failures[account]
		out[i] = UserSummary{User: u, Sessions: counts[u.ID], FailedSignIns: f, Locked: f >= MaxFailsPerAccount, Paused: paused[account]}
	}
	return out, nil
}

// PasswordChange is a person changing their own password.
type PasswordChange struct {
	UserID  int64
	Current string
	New     string
	Confirm string
	// KeepToken is the session the change is made from; the user's other
	// sessions end.
	KeepToken string
	Actor     Actor
}

// Validate reports which fields are wrong before the current password is
// checked: current (required), new (required, too_short, too_long),
// confirm (mismatch).
func (c PasswordChange) Validate() FieldErrors {
	errs := FieldErrors{}
	if c.Current == "" {
		errs["current"] = FieldRequired
	}
	if c.New == "" {
		errs["new"] = FieldRequired
	} else if fe := passwordField(c.New); fe != "" {
		errs["new"] = fe
	} else if c.New != c.Confirm {
		errs["confirm"] = FieldMismatch
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ChangePassword sets the user's own password after checking the current
// one (a wrong one is FieldErrors{"current": FieldWrong}), clears
// MustChangePassword and ends the user's other sessions, with its audit row.
func (s *Store) ChangePassword(ctx context.Context, c PasswordChange) error {
	wrap := func(err error) error { return fmt.Errorf("store: change password of user %d: %w", c.UserID, err) }
	if errs := c.Validate(); errs != nil {
		return wrap(errs)
	}
	u, err := s.UserByID(ctx, c.UserID)
	if err != nil {
		return wrap(err)
	}
	// Counted as the reissue step-up is: a stolen session must not be a
	// way to guess the password without limit.
	ok, err := s.checkStepUp(ctx, u, c.Current, c.Actor, "on the password form")
	if err != nil {
		return wrap(err)
	}
	if !ok {
		s.Audit(ctx, c.Actor.audit(AuditPasswordChange, "user", u.Username, ResultRefused, "wrong current password"))
		return wrap(FieldErrors{"current": FieldWrong})
	}
	if c.New == c.Current {
		return wrap(FieldErrors{"new": FieldInvalid})
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(c.New), s.bcryptCost)
	if err != nil {
		return wrap(err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?`,
			string(hash), u.ID); err != nil {
			return err
		}
		s.sessionsEndedTx(tx)
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id != ?`, u.ID, sessionID(c.KeepToken))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		return s.auditTx(ctx, tx, c.Actor.audit(AuditPasswordChange, "user", u.Username, ResultOK,
			fmt.Sprintf("password changed; %d other session(s) ended", n)))
	})
	if err != nil {
		return wrap(err)
	}
	return nil
}
