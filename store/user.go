package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Level is an access level, as the provider names them: a higher level
// includes everything below it.
type Level int

// The provider's three access levels. LevelPublic marks routes that need no
// sign-in at all.
const (
	LevelPublic      Level = 0
	LevelReadOnly    Level = 1
	LevelOperational Level = 2
	LevelAdmin       Level = 3
)

// String returns the level's name as the console shows it.
func (l Level) String() string {
	switch l {
	case LevelReadOnly:
		return "Read-Only"
	case LevelOperational:
		return "Operational"
	case LevelAdmin:
		return "Admin"
	}
	return "Public"
}

// Valid reports whether l is one a user can have (1, 2 or 3).
func (l Level) Valid() bool { return l >= LevelReadOnly && l <= LevelAdmin }

// MinPasswordLength is the shortest password a user may have.
const MinPasswordLength = 10

// DefaultBcryptCost is the work factor of new password hashes
// (Options.BcryptCost).
const DefaultBcryptCost = 11

// User is a person who signs in to the console.
type User struct {
	ID           int64
	Username     string
	Level        Level
	passwordHash []byte
	CreatedAt    int64
	// DisabledAt is when an admin disabled the account, 0 while active.
	DisabledAt int64
	// MustChangePassword is set while the password is a one-time one that
	// someone else chose: the user must choose their own before anything else.
	MustChangePassword bool
	// LastSignInAt and LastSignInAddr are the latest full sign-in (0 and ""
	// before the first).
	LastSignInAt   int64
	LastSignInAddr string
	totpSecret     string
	totpPending    string
	totpLastStep   int64
	// Who controls the account (migration 0026), for four-eyes reissue
	// (reissue_checker.go): the admin who last set its password or turned
	// its two-factor off for it, and when someone other than the person
	// last set the password; when it last became an admin and who made it
	// one. 0 for none, or for the command line.
	credentialsSetBy int64
	credentialsSetAt int64
	adminSince       int64
	adminBy          int64
}

// Disabled reports whether an admin has disabled the account.
func (u User) Disabled() bool { return u.DisabledAt != 0 }

// TwoFactor reports whether the user has enrolled a TOTP authenticator.
func (u User) TwoFactor() bool { return u.totpSecret != "" }

// NewUser holds what is needed to create a user.
type NewUser struct {
	Username string
	Level    Level
	Password string
}

// Validate reports what is wrong with the new user, or nil.
func (u NewUser) Validate() error {
	switch usernameField(u.Username) {
	case FieldRequired:
		return errors.New("username must not be empty")
	case FieldTooLong:
		return errors.New("username must be at most 64 characters")
	case FieldInvalid:
		return errors.New(UsernameRule)
	}
	switch {
	case !u.Level.Valid():
		return fmt.Errorf("level must be 1, 2 or 3 (got %d)", u.Level)
	case utf8.RuneCountInString(u.Password) < MinPasswordLength:
		return fmt.Errorf("password must be at least %d characters", MinPasswordLength)
	case len(u.Password) > 72:
		return errors.New("password must be at most 72 bytes") // bcrypt's limit
	case guessedFirst(u.Password):
		return errors.New("password is among the first a guesser tries (one character repeated, a run such as 1234567890, or a common password)")
	}
	return nil
}

// UsernameRule says which usernames are taken in: ones that look alike
// (a space, an invisible or look-alike letter) would tell two people apart
// in the audit log only by what a reader cannot see.
// A name starts with a letter or a digit, so a command line never takes it
// for a flag, and is none of ReservedActors.
const UsernameRule = "username must be letters A–Z, digits and . _ - @ only, start with a letter or digit, and not be cli or anonymous"

// ReservedActors are the names the audit log gives actors that are not
// users: the command line (whose API keys a user of that name would
// otherwise own) and unsigned requests.
var ReservedActors = []string{"cli", "anonymous"}

// usernameField returns the field error code of a new username, "" if
// fine (UsernameRule; at most 64 characters).
func usernameField(name string) string {
	alnum := func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' }
	switch {
	case name == "":
		return FieldRequired
	case len(name) > 64:
		return FieldTooLong
	case !alnum(rune(name[0])),
		strings.ContainsFunc(name, func(r rune) bool { return !alnum(r) && !strings.ContainsRune("._-@", r) }),
		slices.ContainsFunc(ReservedActors, func(a string) bool { return strings.EqualFold(a, name) }):
		return FieldInvalid
	}
	return ""
}

// ErrUserExists is returned when the username is already taken.
var ErrUserExists = errors.New("user already exists")

// CreateUser validates and stores a new user with a bcrypt hash of the
// password, made from the command line (user add, a demo start), with its
// audit row (actor cli) in the same transaction. The console's admins use
// CreateUserByAdmin.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	if err := nu.Validate(); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(nu.Password), s.bcryptCost)
	if err != nil {
		return User{}, fmt.Errorf("store: hash password: %w", err)
	}
	u := User{Username: nu.Username, Level: nu.Level, passwordHash: hash, CreatedAt: s.nowMs()}
	if u.Level == LevelAdmin {
		u.adminSince = u.CreatedAt
	}
	var taken bool
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO users(username, level, password_hash, created_at, admin_since) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(username) DO NOTHING`, u.Username, int(u.Level), string(hash), u.CreatedAt, nullIfZero(u.adminSince))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			taken = true // not a failed write: nothing to do
			return nil
		}
		u.ID, _ = res.LastInsertId()
		return s.auditTx(ctx, tx, AuditEntry{Actor: "cli", Action: AuditUserCreate, TargetType: "user",
			TargetID: u.Username, Detail: fmt.Sprintf("level %d", u.Level)})
	})
	if err == nil && taken {
		err = ErrUserExists
	}
	if err != nil {
		return User{}, fmt.Errorf("store: create user %s: %w", nu.Username, err)
	}
	return u, nil
}

// ResetPassword gives the user a new password (checked like a new user's)
// and ends every session the user has, in one transaction with its audit
// row; actor names who asked (the command line says "cli"). The account
// then counts as set by actor for four-eyes reissue (by nobody when actor
// is no user, as "cli" is). An unknown username is ErrNotFound.
func (s *Store) ResetPassword(ctx context.Context, username, password, actor string) (User, error) {
	wrap := func(err error) error { return fmt.Errorf("store: reset password of %s: %w", username, err) }
	u, err := s.UserByName(ctx, username)
	if err != nil {
		return User{}, wrap(err)
	}
	if err := (NewUser{Username: u.Username, Level: u.Level, Password: password}).Validate(); err != nil {
		return User{}, wrap(err)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		return User{}, wrap(err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, credentials_set_by = (`+userIDByName+`), credentials_set_at = ?
			WHERE id = ?`, string(hash), actor, s.nowMs(), u.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		s.sessionsEndedTx(tx)
		ended, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID)
		if err != nil {
			return err
		}
		n, _ := ended.RowsAffected()
		return s.auditTx(ctx, tx, AuditEntry{Actor: actor, Action: AuditUserPasswordReset, TargetType: "user",
			TargetID: u.Username, Detail: fmt.Sprintf("%d sessions ended", n)})
	})
	if err != nil {
		return User{}, wrap(err)
	}
	u.passwordHash = hash
	return u, nil
}

// Users lists every user by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserByName returns the user with that username (case-insensitive).
func (s *Store) UserByName(ctx context.Context, username string) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx,
		`SELECT `+userCols+` FROM users WHERE username = ?`, username))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %q: %w", username, err)
	}
	return u, nil
}

// UserByID returns the user with that id.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx,
		`SELECT `+userCols+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %d: %w", id, err)
	}
	return u, nil
}

// dummyHashes holds, per cost, a hash compared against when the user does
// not exist, so that a wrong username takes as long as a wrong password.
var dummyHashes sync.Map // int → []byte

// dummyHash returns the dummy hash at cost, made on first use.
func dummyHash(cost int) []byte {
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("cardops-no-such-user"), cost)
	if err != nil {
		// An invalid cost; CreateUser refuses it the same way.
		h, _ = bcrypt.GenerateFromPassword([]byte("cardops-no-such-user"), bcrypt.DefaultCost)
	}
	v, _ := dummyHashes.LoadOrStore(cost, h)
	return v.([]byte)
}

// Authenticate returns the user whose username and password match. Any
// mismatch, unknown user included, is ErrBadCredentials. An unknown user is
// checked against a hash at the store's bcrypt cost, that of every new password, so
// the answer takes as long either way. A disabled account is
// ErrUserDisabled, and only after the right password, so the refusal tells
// nothing to someone who does not know it.
func (s *Store) Authenticate(ctx context.Context, username, password string) (User, error) {
	// Made before the lookup, so the first sign-in after a start costs the
	// same whether the user exists or not.
	dummy := dummyHash(s.bcryptCost)
	u, err := s.UserByName(ctx, username)
	if errors.Is(err, ErrNotFound) {
		bcrypt.CompareHashAndPassword(dummy, []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	if !u.CheckPassword(password) {
		return User{}, ErrBadCredentials
	}
	if u.Disabled() {
		return u, ErrUserDisabled
	}
	s.rehashPassword(ctx, u, password)
	return u, nil
}

// rehashPassword makes the user's password hash again at the configured
// cost when it was made at another, now that the password is at hand:
// after --bcrypt-cost changes, checking a known name would otherwise take
// another time than checking an unknown one (against a hash at the
// configured cost), which tells the names apart. Best effort: a failed
// update is tried again at the next sign-in.
func (s *Store) rehashPassword(ctx context.Context, u User, password string) {
	if c, err := bcrypt.Cost(u.passwordHash); err != nil || c == s.bcryptCost {
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		return
	}
	s.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, string(hash), u.ID, string(u.passwordHash))
}

// ErrBadCredentials is returned for an unknown user or a wrong password.
var ErrBadCredentials = errors.New("wrong username or password")

// ErrUserDisabled is returned for a disabled account.
var ErrUserDisabled = errors.New("the account is disabled")

// CheckPassword reports whether password is the user's password.
func (u User) CheckPassword(password string) bool {
	return bcrypt.CompareHashAndPassword(u.passwordHash, []byte(password)) == nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

const userCols = `id, username, level, password_hash, created_at, COALESCE(disabled_at, 0), must_change_password,
	COALESCE(last_sign_in_at, 0), last_sign_in_addr, totp_secret, totp_pending, totp_last_step,
	COALESCE(credentials_set_by, 0), COALESCE(credentials_set_at, 0), COALESCE(admin_since, 0), COALESCE(admin_by, 0)`

// userIDByName is a subquery giving the id of the user named by its one
// argument, NULL when none is (the command line's "cli"): it records which
// admin made a change in the columns of migration 0026.
const userIDByName = `SELECT id FROM users WHERE username = ?`

// nullIfZero stores 0 as NULL.
func nullIfZero(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func scanUser(row rowScanner) (User, error) {
	var u User
	var hash string
	var level int
	if err := row.Scan(&u.ID, &u.Username, &level, &hash, &u.CreatedAt, &u.DisabledAt, &u.MustChangePassword,
		&u.LastSignInAt, &u.LastSignInAddr, &u.totpSecret, &u.totpPending, &u.totpLastStep,
		&u.credentialsSetBy, &u.credentialsSetAt, &u.adminSince, &u.adminBy); err != nil {
		return User{}, err
	}
	u.Level = Level(level)
	u.passwordHash = []byte(hash)
	return u, nil
}

// Int returns the level as its number (1, 2 or 3).
func (l Level) Int() int { return int(l) }
