package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// APIKeyPrefix starts every API key, so a key found in a log or a repository
// is recognisable as a cardops key.
const APIKeyPrefix = "cok_"

// APIKeyNameMax bounds a key's name.
const APIKeyNameMax = 60

// apiKeyAllowMax bounds the entries of an allowlist.
const apiKeyAllowMax = 50

// APIKey is a key of the sandbox's provider API, without its secret: only
// its SHA-256 is kept.
type APIKey struct {
	ID        int64
	Name      string
	Level     Level
	Prefix    string
	Allowlist []netip.Prefix
	CreatedBy string
	CreatedAt int64
	// LastUsedAt is 0 when the key was never used.
	LastUsedAt   int64
	LastUsedAddr string
	// RevokedAt is 0 while the key is live.
	RevokedAt int64
	RevokedBy string
}

// Revoked reports whether the key was revoked.
func (k APIKey) Revoked() bool { return k.RevokedAt != 0 }

// Actor is how the audit log, the card page and the event log name a call
// made with this key.
func (k APIKey) Actor() string { return "apikey:" + k.Name }

// AllowlistText is the allowlist as it is typed: entries separated by ", ".
func (k APIKey) AllowlistText() string { return formatAllowlist(k.Allowlist) }

// Allows reports whether addr may use the key: any address when the
// allowlist is empty.
func (k APIKey) Allows(addr string) bool {
	if len(k.Allowlist) == 0 {
		return true
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range k.Allowlist {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// NewAPIKey is the form that makes a key.
type NewAPIKey struct {
	Name  string
	Level Level
	// Allowlist is addresses and CIDR ranges separated by commas, spaces or
	// new lines; empty lets every address in.
	Allowlist string
	Actor     Actor
}

// ParseAllowlist reads addresses and CIDR ranges separated by commas, spaces
// or new lines; a single address becomes a /32 (or /128) range.
func ParseAllowlist(s string) ([]netip.Prefix, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(fields) > apiKeyAllowMax {
		return nil, fmt.Errorf("at most %d entries", apiKeyAllowMax)
	}
	var out []netip.Prefix
	for _, f := range fields {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not an address or a CIDR range", Cut(f, 64))
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR range", Cut(f, 64))
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func formatAllowlist(ps []netip.Prefix) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		if p.IsSingleIP() {
			parts[i] = p.Addr().String()
		} else {
			parts[i] = p.String()
		}
	}
	return strings.Join(parts, ", ")
}

// Validate reports which fields are wrong: name (required, too long,
// invalid), level (invalid), allowlist (invalid).
func (n NewAPIKey) Validate() FieldErrors {
	errs := FieldErrors{}
	name := strings.TrimSpace(n.Name)
	switch {
	case name == "":
		errs["name"] = FieldRequired
	case utf8.RuneCountInString(name) > APIKeyNameMax:
		errs["name"] = FieldTooLong
	case strings.ContainsAny(name, ":\x00\r\n"):
		errs["name"] = FieldInvalid
	}
	if !n.Level.Valid() {
		errs["level"] = FieldInvalid
	}
	if _, err := ParseAllowlist(n.Allowlist); err != nil {
		errs["allowlist"] = FieldInvalid
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ErrAPIKeyNameTaken: another key has this name.
var ErrAPIKeyNameTaken = errors.New("an API key with this name exists")

// HashAPIKey is the SHA-256 the store keeps of a key. A key is 32 random
// bytes, so a plain hash is enough: there is nothing to guess.
func HashAPIKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateAPIKey makes a key and returns it with its secret, which is shown
// once and never stored. It is audited in the same transaction. Invalid
// input is FieldErrors, a name in use ErrAPIKeyNameTaken.
func (s *Store) CreateAPIKey(ctx context.Context, n NewAPIKey) (APIKey, string, error) {
	if errs := n.Validate(); errs != nil {
		return APIKey{}, "", fmt.Errorf("store: create API key: %w", errs)
	}
	allow, _ := ParseAllowlist(n.Allowlist)
	b := make([]byte, 32)
	rand.Read(b)
	secret := APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	k := APIKey{Name: strings.TrimSpace(n.Name), Level: n.Level, Prefix: secret[:len(APIKeyPrefix)+4],
		Allowlist: allow, CreatedBy: n.Actor.Username, CreatedAt: s.nowMs()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = ?)`, k.Name).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return ErrAPIKeyNameTaken
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO api_keys(name, level, key_hash, prefix, allowlist, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, k.Name, int(k.Level), HashAPIKey(secret), k.Prefix, k.AllowlistText(), k.CreatedBy, k.CreatedAt)
		if err != nil {
			return err
		}
		if k.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		allowText := k.AllowlistText()
		if allowText == "" {
			allowText = "any address"
		}
		return s.auditTx(ctx, tx, n.Actor.audit(AuditAPIKeyCreate, "api_key", fmt.Sprint(k.ID), ResultOK,
			fmt.Sprintf("key %q (%s…), level %d (%s), allowlist: %s", k.Name, k.Prefix, k.Level, k.Level, allowText)))
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("store: create API key %q: %w", k.Name, err)
	}
	return k, secret, nil
}

const apiKeyCols = `id, name, level, prefix, allowlist, created_by, created_at, COALESCE(last_used_at, 0), last_used_addr,
	COALESCE(revoked_at, 0), revoked_by`

func scanAPIKey(row rowScanner) (APIKey, error) {
	var k APIKey
	var allow string
	if err := row.Scan(&k.ID, &k.Name, &k.Level, &k.Prefix, &allow, &k.CreatedBy, &k.CreatedAt, &k.LastUsedAt,
		&k.LastUsedAddr, &k.RevokedAt, &k.RevokedBy); err != nil {
		return k, err
	}
	k.Allowlist, _ = ParseAllowlist(allow)
	return k, nil
}

// APIKeys lists every key, live ones first, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]APIKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys ORDER BY revoked_at IS NOT NULL, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: API keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("store: API keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: API keys: %w", err)
	}
	return out, nil
}

// APIKeyByID returns the key with this id, or ErrNotFound.
func (s *Store) APIKeyByID(ctx context.Context, id int64) (APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, fmt.Errorf("store: API key %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("store: API key %d: %w", id, err)
	}
	return k, nil
}

// APIKeyBySecret returns the key whose secret this is, revoked or not, or
// ErrNotFound.
func (s *Store) APIKeyBySecret(ctx context.Context, secret string) (APIKey, error) {
	k, err := scanAPIKey(s.r.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE key_hash = ?`, HashAPIKey(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, fmt.Errorf("store: API key: %w", ErrNotFound)
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("store: API key: %w", err)
	}
	return k, nil
}

// ErrAPIKeyRevoked: the key was revoked already.
var ErrAPIKeyRevoked = errors.New("the API key is revoked already")

// RevokeAPIKey revokes a key for good, audited in the same transaction; the
// next call with it is refused. An unknown key is ErrNotFound, a revoked one
// ErrAPIKeyRevoked (audited as refused).
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, actor Actor) (APIKey, error) {
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		k, err := scanAPIKey(tx.QueryRowContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if k.Revoked() {
			refusal = ErrAPIKeyRevoked
			return s.auditTx(ctx, tx, actor.audit(AuditAPIKeyRevoke, "api_key", fmt.Sprint(id), ResultRefused, refusal.Error()))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL`,
			s.nowMs(), actor.Username, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, actor.audit(AuditAPIKeyRevoke, "api_key", fmt.Sprint(id), ResultOK,
			fmt.Sprintf("key %q (%s…), level %d", k.Name, k.Prefix, k.Level)))
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("store: revoke API key %d: %w", id, err)
	}
	return s.APIKeyByID(ctx, id)
}

// revokeKeysOfTx revokes, in the caller's transaction, the live keys
// creator made with a level above the given one (0: every key), each
// audited with why, and returns how many. A person who leaves, or may no
// longer act at a level, must not keep acting through a key they saw.
func (s *Store) revokeKeysOfTx(ctx context.Context, tx *sql.Tx, actor Actor, creator string, above Level, why string) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+apiKeyCols+` FROM api_keys
		WHERE created_by = ? COLLATE NOCASE AND revoked_at IS NULL AND level > ? ORDER BY id`, creator, int(above))
	if err != nil {
		return 0, err
	}
	var keys []APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		keys = append(keys, k)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, err
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ?`,
			s.nowMs(), actor.Username, k.ID); err != nil {
			return 0, err
		}
		if err := s.auditTx(ctx, tx, actor.audit(AuditAPIKeyRevoke, "api_key", fmt.Sprint(k.ID), ResultOK,
			fmt.Sprintf("key %q (%s…), level %d: %s", k.Name, k.Prefix, k.Level, why))); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// TouchAPIKey records that the key was just used from addr.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, addr string) error {
	_, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = ?, last_used_addr = ? WHERE id = ?`, s.nowMs(), Cut(addr, 64), id)
	if err != nil {
		return fmt.Errorf("store: touch API key %d: %w", id, err)
	}
	return nil
}
