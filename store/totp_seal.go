package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// TOTP secrets are kept sealed (AES-256-GCM) under a key derived from the
// store's card-number key, which is never in the database (pankey.go): a
// copy of the database file alone cannot make a user's codes. The user's id
// is the sealed value's associated data, so a secret cannot be moved to
// another account.
const totpSealPrefix = "v1:"

// errTOTPSeal: a sealed secret that this store's key does not open.
var errTOTPSeal = errors.New("two-factor secret cannot be opened with this store's key")

func (s *Store) totpAEAD() cipher.AEAD {
	m := hmac.New(sha256.New, s.panKey)
	m.Write([]byte("cardops totp secret v1"))
	block, err := aes.NewCipher(m.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key always makes a cipher
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}

// sealTOTP seals a user's secret for storage; "" stays "".
func (s *Store) sealTOTP(userID int64, secret string) string {
	if secret == "" {
		return ""
	}
	aead := s.totpAEAD()
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, []byte(secret), []byte(strconv.FormatInt(userID, 10)))
	return totpSealPrefix + base64.RawStdEncoding.EncodeToString(sealed)
}

// openTOTP opens a stored secret; "" stays "".
func (s *Store) openTOTP(userID int64, stored string) (string, error) {
	if stored == "" {
		return "", nil
	}
	b64, ok := strings.CutPrefix(stored, totpSealPrefix)
	if !ok {
		return "", errTOTPSeal
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	aead := s.totpAEAD()
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errTOTPSeal
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(strconv.FormatInt(userID, 10)))
	if err != nil {
		return "", errTOTPSeal
	}
	return string(plain), nil
}

// sealLegacyTOTPSecrets runs at open: secrets stored in clear (before
// sealing) are sealed, and the database is vacuumed afterwards so the clear
// values leave its free pages too.
func (s *Store) sealLegacyTOTPSecrets(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, totp_secret, totp_pending FROM users
			WHERE (totp_secret != '' AND totp_secret NOT LIKE 'v1:%') OR (totp_pending != '' AND totp_pending NOT LIKE 'v1:%')`)
		if err != nil {
			return fmt.Errorf("store: read two-factor secrets: %w", err)
		}
		type legacy struct {
			id              int64
			secret, pending string
		}
		var found []legacy
		for rows.Next() {
			var l legacy
			if err := rows.Scan(&l.id, &l.secret, &l.pending); err != nil {
				rows.Close()
				return err
			}
			found = append(found, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(found) == 0 {
			return err
		}
		seal := func(id int64, v string) string {
			if strings.HasPrefix(v, totpSealPrefix) {
				return v
			}
			return s.sealTOTP(id, v)
		}
		for _, l := range found {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = ?, totp_pending = ? WHERE id = ?`,
				seal(l.id, l.secret), seal(l.id, l.pending), l.id); err != nil {
				return fmt.Errorf("store: seal two-factor secret of user %d: %w", l.id, err)
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings(key, value, updated_at) VALUES (?, 1, ?) ON CONFLICT(key) DO NOTHING`,
			secretsVacuumSetting, s.nowMs())
		return err
	})
}

// Recovery codes are stored as HMAC(k, SHA-256(code)), k derived from the
// card-number key with a label of its own: a copy of the database alone
// cannot test guesses of a code (50 bits) offline. SHA-256 first, because
// that is what rows made before the key (migration 0026) hold, and they
// are keyed as they are (keyLegacyRecoveryCodes).
func (s *Store) recoveryKey() []byte {
	m := hmac.New(sha256.New, s.panKey)
	m.Write([]byte("cardops recovery code v1"))
	return m.Sum(nil)
}

// keyRecoveryHash keys the SHA-256 of a normalized recovery code.
func (s *Store) keyRecoveryHash(sum []byte) []byte {
	m := hmac.New(sha256.New, s.recoveryKey())
	m.Write(sum)
	return m.Sum(nil)
}

// keyLegacyRecoveryCodes runs at open: recovery codes stored as SHA-256
// alone (keyed = 0, before migration 0026) are keyed, all in one
// transaction. The unkeyed values must leave the file too, without the
// minutes a VACUUM takes on a large database: the keyed value has the
// unkeyed one's size, so the update overwrites it in place, secure_delete
// zeroes whatever it frees, and a checkpoint then writes the new pages
// into the file and empties the WAL. Keyed rows are left alone, so it runs
// once.
func (s *Store) keyLegacyRecoveryCodes(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `PRAGMA secure_delete = ON`); err != nil {
		return fmt.Errorf("store: key recovery codes: %w", err)
	}
	defer s.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA secure_delete = OFF`)
	keyed := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, code_hash FROM recovery_codes WHERE keyed = 0`)
		if err != nil {
			return err
		}
		type legacy struct {
			id   int64
			hash []byte
		}
		var found []legacy
		for rows.Next() {
			var l legacy
			if err := rows.Scan(&l.id, &l.hash); err != nil {
				rows.Close()
				return err
			}
			found = append(found, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(found) == 0 {
			return err
		}
		for _, l := range found {
			if _, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET code_hash = ?, keyed = 1 WHERE id = ? AND keyed = 0`,
				s.keyRecoveryHash(l.hash), l.id); err != nil {
				return fmt.Errorf("recovery code %d: %w", l.id, err)
			}
		}
		keyed = len(found)
		return nil
	})
	if err == nil && keyed > 0 {
		_, err = s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if err != nil {
		return fmt.Errorf("store: key recovery codes: %w", err)
	}
	return nil
}
