package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The key HashPAN uses never sits in the database: with first 6 and last 4
// in clear, anyone holding both the file and the key tries the 100,000
// Luhn-valid candidates of a card in well under a second. The database keeps
// only panKeyCheckSetting, a salted HMAC of a fixed text under the key, so a
// start with a wrong key is refused; with a 256-bit random key it helps no
// guessing.
const (
	// legacyPANKeySetting is where binaries before migration 0007 kept the
	// key, inside the database; Open moves it out once.
	legacyPANKeySetting = "pan_hash_key"
	panKeyCheckSetting  = "pan_key_check"
	panKeyCheckText     = "cardops pan key check"
	// secretsVacuumSetting is left by migration 0007 when it removed a
	// secret from a database; Open then rewrites the file (VACUUM), so the
	// freed pages that still hold the secret's bytes are gone too.
	secretsVacuumSetting = "secrets_vacuum_pending"
)

// PANKeySize is the size in bytes of the key HashPAN uses.
const PANKeySize = 32

// PANKeyFileSuffix names the default key file: the database path plus this
// suffix, beside the database.
const PANKeyFileSuffix = ".pankey"

// Options are Open's settings beyond the path.
type Options struct {
	// PANKey is the key of the database's card-number hashes (PANKeySize
	// bytes). When nil, it is read from PANKeyFile.
	PANKey []byte
	// PANKeyFile holds the key as hex; "" means the database path plus
	// PANKeyFileSuffix. Open creates it (mode 0600) with a new random key
	// when it does not exist and the database has no key yet.
	PANKeyFile string
	// MakePANKeyDir lets Open create PANKeyFile's missing directories (mode
	// 0700) when it writes the key file; only then, so a refused start
	// leaves nothing behind.
	MakePANKeyDir bool
	// BcryptCost is the work factor of new password hashes; 0 means
	// DefaultBcryptCost. Tests lower it to run fast.
	BcryptCost int
	// RefusalsKept is how many refused webhook deliveries are kept; 0
	// means MaxRefusals.
	RefusalsKept int64
	// NewPAN draws a reissued card's number on a BIN; nil means RandomPAN.
	// Tests wrap it to see the numbers a reissue draws, which nothing else
	// ever sees.
	NewPAN func(bin string) (string, error)
	// Logger, if set, hears of the slow steps of opening an older database,
	// before and after each: every migration applied to a database that had
	// some already, and the one-time VACUUM after 0007. On a large database
	// one can take minutes, and nothing answers until they are done.
	Logger *slog.Logger
}

// ErrPANKey is returned by Open when the database holds card numbers and
// the key of their hashes is missing or is not the one they were made with.
var ErrPANKey = errors.New("card-number key missing or wrong")

// ParsePANKey reads a key written as hex or base64 (standard or URL
// alphabet, padded or not), surrounding spaces ignored.
func ParsePANKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if k, err := hex.DecodeString(s); err == nil && len(k) == PANKeySize {
		return k, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == PANKeySize {
			return k, nil
		}
	}
	return nil, fmt.Errorf("want %d bytes as hex (%d digits) or base64", PANKeySize, 2*PANKeySize)
}

// PANKey returns the key HashPAN uses for this database's card numbers. It
// is a secret: never store or log it.
func (s *Store) PANKey() []byte { return bytes.Clone(s.panKey) }

// PANKeyFile reports the key file the store read or created, or "" when the
// key was given directly.
func (s *Store) PANKeyFile() string { return s.panKeyFile }

func panKeyCheck(key, salt []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(panKeyCheckText))
	m.Write(salt)
	return append(bytes.Clone(salt), m.Sum(nil)...)
}

// legacyPANKey returns the key a database from before migration 0007 keeps
// in its settings, or nil.
func (s *Store) legacyPANKey(ctx context.Context) ([]byte, error) {
	var n int
	if err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'settings'`).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	var key []byte
	err := s.w.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, legacyPANKeySetting).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return key, err
}

// setUpPANKey settles the store's key before the migrations run: it takes
// the configured key, or the key file's, and moves a key the database still
// holds (written before migration 0007) out to the key file, which
// migration 0007 then deletes from the database.
func (s *Store) setUpPANKey(ctx context.Context, opts Options) error {
	if opts.PANKey != nil {
		if len(opts.PANKey) != PANKeySize {
			return fmt.Errorf("store: card-number key: %d bytes, want %d", len(opts.PANKey), PANKeySize)
		}
		s.panKey = bytes.Clone(opts.PANKey)
	} else {
		s.panKeyFile = opts.PANKeyFile
		if s.panKeyFile == "" {
			s.panKeyFile = s.path + PANKeyFileSuffix
		}
		key, err := readPANKeyFile(s.panKeyFile)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		s.panKey = key
	}
	legacy, err := s.legacyPANKey(ctx)
	if err != nil {
		return fmt.Errorf("store: read legacy card-number key: %w", err)
	}
	if legacy == nil {
		return nil
	}
	switch {
	case s.panKey == nil:
		if err := writePANKeyFile(s.panKeyFile, legacy, s.makePANKeyDir); err != nil {
			return err
		}
		s.panKey = legacy
	case !hmac.Equal(s.panKey, legacy):
		return fmt.Errorf("store: %s still holds its card-number key and it is not the one %s gives; nothing was changed: %w",
			s.path, s.keySource(), ErrPANKey)
	}
	return nil
}

// checkPANKey runs after the migrations: a database without the key check
// gets one (and, without a key, a new key in a new key file) as long as it
// holds no card number; one that holds numbers must get the key that made
// them, and one that has a check must find its key: a new key would make
// the one it has useless, to a console running on it too.
func (s *Store) checkPANKey(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Sealed two-factor secrets need the key that sealed them, as
		// card numbers do (totp_seal.go).
		var hasNumbers bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM card_numbers)
			OR EXISTS (SELECT 1 FROM users WHERE totp_secret LIKE 'v1:%' OR totp_pending LIKE 'v1:%')
			OR EXISTS (SELECT 1 FROM recovery_codes WHERE keyed = 1)`).Scan(&hasNumbers); err != nil {
			return fmt.Errorf("store: card-number key: %w", err)
		}
		var check []byte
		err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, panKeyCheckSetting).Scan(&check)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: card-number key: %w", err)
		}
		if s.panKey == nil {
			what := ""
			switch {
			case hasNumbers:
				what = "holds card numbers or two-factor secrets but their key is missing"
			case len(check) > 0:
				what = "has a card-number key already but the key is missing"
			}
			if what != "" {
				return fmt.Errorf("store: %s %s: %s does not exist "+
					"(give the key file with --pan-key-file / CARDOPS_PAN_KEY_FILE, or the key in CARDOPS_PAN_KEY): %w",
					s.path, what, s.panKeyFile, ErrPANKey)
			}
			key := make([]byte, PANKeySize)
			rand.Read(key)
			if err := writePANKeyFile(s.panKeyFile, key, s.makePANKeyDir); err != nil {
				// Another process may have created it a moment ago.
				if k, rerr := readPANKeyFile(s.panKeyFile); rerr == nil {
					key, err = k, nil
				}
				if err != nil {
					return err
				}
			}
			s.panKey = key
		}
		const saltSize = 16
		if len(check) == saltSize+sha256.Size && hmac.Equal(check, panKeyCheck(s.panKey, check[:saltSize])) {
			return nil
		}
		if len(check) > 0 && hasNumbers {
			return fmt.Errorf("store: %s holds card numbers or two-factor secrets made with another key than the one %s gives: %w",
				s.path, s.keySource(), ErrPANKey)
		}
		salt := make([]byte, saltSize)
		rand.Read(salt)
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			panKeyCheckSetting, panKeyCheck(s.panKey, salt), s.nowMs())
		if err != nil {
			return fmt.Errorf("store: card-number key check: %w", err)
		}
		return nil
	})
}

func (s *Store) keySource() string {
	if s.panKeyFile == "" {
		return "the configured key (CARDOPS_PAN_KEY)"
	}
	return "key file " + s.panKeyFile
}

// vacuumIfPending rewrites the database file once after migration 0007
// removed secrets from it: a DELETE only frees the cells, whose bytes stay
// in the file (and in copies of it) until SQLite reuses the space. The
// marker is removed only after VACUUM succeeded, so a failed one is retried
// at the next start. What is keyed by the cards' rowids, which a VACUUM
// may renumber, is rebuilt after it (rekeyCards). The WAL is truncated
// afterwards, as it holds the pages the migration wrote.
func (s *Store) vacuumIfPending(ctx context.Context) error {
	var pending bool
	if err := s.w.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM settings WHERE key = ?)`, secretsVacuumSetting).Scan(&pending); err != nil || !pending {
		return err
	}
	start := time.Now()
	if s.log != nil {
		s.log.Info("vacuuming the database", "why", "rewrite the file without the secrets migration 0007 moved out", "db", s.path)
	}
	if _, err := s.w.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("store: vacuum after moving secrets out of %s: %w", s.path, err)
	}
	if err := s.rekeyCards(ctx); err != nil {
		return err
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, secretsVacuumSetting); err != nil {
		return fmt.Errorf("store: vacuum marker: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("store: checkpoint after vacuum: %w", err)
	}
	if s.log != nil {
		s.log.Info("vacuumed the database", "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

func readPANKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("store: read card-number key file: %w", err)
	}
	key, err := ParsePANKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("store: card-number key file %s: %w", path, err)
	}
	return key, nil
}

// writePANKeyFile creates path (mode 0600, never replacing a file) holding
// key as hex, and syncs it and its directory, so the key is on disk before
// the database relies on it. With mkdir, missing directories are made 0700.
func writePANKeyFile(path string, key []byte, mkdir bool) error {
	if mkdir {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return fmt.Errorf("store: card-number key directory (give --pan-key-file or CARDOPS_PAN_KEY instead): %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("store: create card-number key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	err = errors.Join(err, f.Chmod(0o600), f.Sync(), f.Close())
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("store: write card-number key file %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
