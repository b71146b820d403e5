package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Two-factor sign-in: TOTP (RFC 6238) with the authenticator apps' defaults
// (SHA-1, 6 digits, 30 s), a code accepted one step either side of now, and
// each time step accepted at most once.
const (
	TOTPIssuer = "cardops"
	totpPeriod = 30
	// RecoveryCodeCount is how many single-use recovery codes enrolment gives.
	RecoveryCodeCount = 10
	// LoginChallengeTimeout bounds the time between the password and the
	// second factor.
	LoginChallengeTimeout = 5 * time.Minute
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Refusals of a second factor.
var (
	// ErrCodeWrong: not the code of this period (nor of the one before or
	// after), nor an unused recovery code.
	ErrCodeWrong = errors.New("wrong or expired code")
	// ErrCodeReused: the code was right but its period was used already.
	ErrCodeReused = errors.New("code already used")
	// ErrNotEnrolling: there is no enrolment under way to complete.
	ErrNotEnrolling = errors.New("no two-factor enrolment under way")
)

// TOTPKeyURL is the otpauth:// URL an authenticator app reads from the QR
// code.
func TOTPKeyURL(username, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", TOTPIssuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", fmt.Sprint(totpPeriod))
	return "otpauth://totp/" + url.PathEscape(TOTPIssuer+":"+username) + "?" + v.Encode()
}

// TOTPCode returns the code of the secret at t (the CLI prints it for demo
// and recovery use; tests use it).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// matchTOTP returns the time step whose code is code, within one step of
// now, or 0.
func matchTOTP(secret, code string, now time.Time) int64 {
	step := now.Unix() / totpPeriod
	var found int64
	for _, st := range []int64{step - 1, step, step + 1} {
		want, err := TOTPCode(secret, time.Unix(st*totpPeriod, 0))
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			found = st
		}
	}
	return found
}

// TOTPEnrolmentSecret returns the secret the user is enrolling with,
// creating it on first call; it is shown again until enrolment completes.
func (s *Store) TOTPEnrolmentSecret(ctx context.Context, userID int64) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TOTPIssuer, AccountName: "x", Period: totpPeriod, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", fmt.Errorf("store: totp secret: %w", err)
	}
	var secret string
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_pending = ? WHERE id = ? AND totp_pending = ''`,
			s.sealTOTP(userID, key.Secret()), userID); err != nil {
			return err
		}
		var sealed string
		if err := tx.QueryRowContext(ctx, `SELECT totp_pending FROM users WHERE id = ?`, userID).Scan(&sealed); err != nil {
			return err
		}
		secret, err = s.openTOTP(userID, sealed)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: totp secret of user %d: %w", userID, err)
	}
	return secret, nil
}

// CompleteTOTPEnrolment turns two-factor sign-in on when code is the right
// one for the secret being enrolled, and returns ten new recovery codes
// (stored as a keyed hash, recoveryHash; shown once). Enrolling again replaces the secret and the
// codes.
func (s *Store) CompleteTOTPEnrolment(ctx context.Context, userID int64, code string, actor Actor) ([]string, error) {
	wrap := func(err error) error { return fmt.Errorf("store: totp enrolment of user %d: %w", userID, err) }
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var sealed string
		if err := tx.QueryRowContext(ctx, `SELECT totp_pending FROM users WHERE id = ?`, userID).Scan(&sealed); err != nil {
			return err
		}
		pending, err := s.openTOTP(userID, sealed)
		if err != nil {
			return err
		}
		step := int64(0)
		if pending == "" {
			refusal = ErrNotEnrolling
		} else if step = matchTOTP(pending, normalizeCode(code), s.now()); step == 0 {
			refusal = ErrCodeWrong
		}
		if refusal != nil {
			return s.auditTx(ctx, tx, actor.audit(AuditTwoFactorEnrol, "user", actor.Username, ResultRefused, refusal.Error()))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_last_step = ? WHERE id = ?`,
			step, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes(user_id, code_hash, keyed) VALUES (?, ?, 1)`, userID, s.recoveryHash(c)); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, tx, actor.audit(AuditTwoFactorEnrol, "user", actor.Username, ResultOK,
			fmt.Sprintf("two-factor on; %d recovery codes issued", len(codes))))
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err == nil {
		err = refusal
	}
	if err != nil {
		return nil, wrap(err)
	}
	return codes, nil
}

// SecondFactor is a second-factor code found right and not yet spent
// (CheckSecondFactor). Spending it, in the transaction of what it allows
// (SignIn, ConfirmReissue), is what makes it single use.
type SecondFactor struct {
	// Method is "totp" or "recovery".
	Method string
	userID int64
	step   int64  // the TOTP code's time step
	hash   []byte // the recovery code's keyed hash
}

// CheckSecondFactor checks a sign-in's or a step-up's second factor
// without spending it: a 6-digit TOTP code of a time step not accepted
// before (else ErrCodeReused) or an unused recovery code. Wrong is
// ErrCodeWrong. A user without two-factor is ErrNotEnrolling.
func (s *Store) CheckSecondFactor(ctx context.Context, userID int64, code string) (SecondFactor, error) {
	wrap := func(err error) error { return fmt.Errorf("store: second factor of user %d: %w", userID, err) }
	code = normalizeCode(code)
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return SecondFactor{}, wrap(err)
	}
	if !u.TwoFactor() {
		return SecondFactor{}, wrap(ErrNotEnrolling)
	}
	if len(code) == 6 && strings.Trim(code, "0123456789") == "" {
		secret, err := s.openTOTP(userID, u.totpSecret)
		if err != nil {
			return SecondFactor{}, wrap(err)
		}
		step := matchTOTP(secret, code, s.now())
		if step == 0 {
			return SecondFactor{}, wrap(ErrCodeWrong)
		}
		if step <= u.totpLastStep {
			return SecondFactor{}, wrap(ErrCodeReused)
		}
		return SecondFactor{Method: "totp", userID: userID, step: step}, nil
	}
	hash := s.recoveryHash(code)
	var one int
	err = s.r.QueryRowContext(ctx, `SELECT 1 FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND keyed = 1 AND used_at IS NULL`,
		userID, hash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return SecondFactor{}, wrap(ErrCodeWrong)
	}
	if err != nil {
		return SecondFactor{}, wrap(err)
	}
	return SecondFactor{Method: "recovery", userID: userID, hash: hash}, nil
}

// spendTx spends f in tx. The conditional updates are what make a code
// single use: of two uses of one code at once, one spends it and the other
// is ErrCodeReused (a TOTP step) or ErrCodeWrong (a recovery code).
func (f SecondFactor) spendTx(ctx context.Context, tx *sql.Tx, nowMs int64) error {
	var res sql.Result
	var err error
	refusal := ErrCodeReused
	if f.Method == "totp" {
		res, err = tx.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, f.step, f.userID, f.step)
	} else {
		refusal = ErrCodeWrong
		res, err = tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND keyed = 1 AND used_at IS NULL`,
			nowMs, f.userID, f.hash)
	}
	if err != nil {
		return fmt.Errorf("spend the second factor: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return cmp.Or(err, refusal)
	}
	return nil
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: recovery codes of user %d: %w", userID, err)
	}
	return n, nil
}

// ResetTwoFactor turns the user's two-factor sign-in off (secret and
// recovery codes gone) and ends their sessions, with its audit row; the
// user enrols again at their next sign-in if their level requires it. It is
// the way back in when the authenticator is lost.
func (s *Store) ResetTwoFactor(ctx context.Context, username string, actor Actor) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE username = ?`, username).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		// An admin who turns it off counts as controlling the account for
		// four-eyes reissue; the command line ("cli", no user) leaves
		// whoever set the password.
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_last_step = 0,
			credentials_set_by = COALESCE((`+userIDByName+`), credentials_set_by) WHERE id = ?`, actor.Username, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, id); err != nil {
			return err
		}
		n, err := s.endSessionsTx(ctx, tx, id)
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, actor.audit(AuditUserTwoFactorOff, "user", username, ResultOK,
			fmt.Sprintf("two-factor off; %d session(s) ended", n)))
	})
	if err != nil {
		return fmt.Errorf("store: reset two-factor of %s: %w", username, err)
	}
	return nil
}

// TOTPSecret returns the user's enrolled secret, or the one being enrolled
// when enrolled is false; "" when none. Only the CLI uses it, to print the
// current code for an operator at the terminal.
func (s *Store) TOTPSecret(ctx context.Context, username string) (secret string, enrolled bool, err error) {
	u, err := s.UserByName(ctx, username)
	if err != nil {
		return "", false, err
	}
	if u.totpSecret != "" {
		secret, err = s.openTOTP(u.ID, u.totpSecret)
		return secret, true, err
	}
	secret, err = s.openTOTP(u.ID, u.totpPending)
	return secret, false, err
}

// normalizeCode drops spaces and dashes and lower-cases, so a code typed as
// shown or as "123 456" is the same.
func normalizeCode(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) > 64 {
		return ""
	}
	return strings.NewReplacer(" ", "", "-", "").Replace(code)
}

// newRecoveryCode is 10 random base32 characters (50 bits), shown as
// xxxxx-xxxxx.
func newRecoveryCode() string {
	b := make([]byte, 7)
	rand.Read(b)
	c := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return c[:5] + "-" + c[5:]
}

// recoveryHash is what is stored of a recovery code (totp_seal.go).
func (s *Store) recoveryHash(code string) []byte {
	sum := sha256.Sum256([]byte(normalizeCode(code)))
	return s.keyRecoveryHash(sum[:])
}

// CreateLoginChallenge records that u gave the right password from
// remoteAddr and still owes the second factor; token is what the browser's
// cookie carries. Audited in the same transaction, as a step of a sign-in
// not yet made: the row's actor is anonymous, as every step before the
// session's.
func (s *Store) CreateLoginChallenge(ctx context.Context, token string, u User, remoteAddr string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Old, unfinished ones of anybody are dropped here, so the table
		// stays small without a sweeper.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_challenges WHERE created_at < ?`,
			s.now().Add(-LoginChallengeTimeout).UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_challenges(id, user_id, created_at, remote_addr) VALUES (?, ?, ?, ?)`,
			sessionID(token), u.ID, s.nowMs(), remoteAddr); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, AuditEntry{Actor: "anonymous", RemoteAddr: remoteAddr, Action: AuditLoginPassword,
			TargetType: "user", TargetID: u.Username, Result: ResultOK, Detail: "second factor asked"})
	})
	if err != nil {
		return fmt.Errorf("store: create login challenge for %s: %w", u.Username, err)
	}
	return nil
}

// LoginChallenge returns the user of a live half-finished sign-in. One
// older than LoginChallengeTimeout, unknown, or of a disabled user is
// ErrNotFound.
func (s *Store) LoginChallenge(ctx context.Context, token string) (User, error) {
	var userID, created int64
	err := s.r.QueryRowContext(ctx, `SELECT user_id, created_at FROM login_challenges WHERE id = ?`, sessionID(token)).Scan(&userID, &created)
	if errors.Is(err, sql.ErrNoRows) || err == nil && s.now().Sub(time.UnixMilli(created)) > LoginChallengeTimeout {
		return User{}, fmt.Errorf("store: login challenge: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: login challenge: %w", err)
	}
	u, err := s.UserByID(ctx, userID)
	if err == nil && u.Disabled() {
		err = ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("store: login challenge: %w", err)
	}
	return u, nil
}
