// Package webhook verifies and parses deliveries to the embedded webhook receiver.
//
// A delivery is authenticated by one of two schemes. The provider's own scheme
// sends the shared key in the X-Webhook-Key header and the send time, in epoch
// milliseconds, in X-Request-Timestamp. The Standard Webhooks scheme
// (https://www.standardwebhooks.com) signs the id, timestamp and body with
// HMAC-SHA256 and sends the result in webhook-signature; because it covers the
// body it is the stronger of the two, and Verify prefers it whenever the
// signature header is present.
//
// ParseEnvelope reads the provider's notification envelope once the delivery
// has been verified.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names used by the two authentication schemes. Header lookups through
// http.Header are case-insensitive, so the canonical form is used here.
const (
	HeaderWebhookKey       = "X-Webhook-Key"       // provider scheme: the shared key
	HeaderRequestTimestamp = "X-Request-Timestamp" // provider scheme: send time, epoch milliseconds
	HeaderWebhookID        = "Webhook-Id"          // Standard Webhooks: message id
	HeaderWebhookTimestamp = "Webhook-Timestamp"   // Standard Webhooks: send time, epoch seconds
	HeaderWebhookSignature = "Webhook-Signature"   // Standard Webhooks: "v1,<base64>" entries
)

// Schemes reported in Verification.Scheme.
const (
	SchemeProviderKey      = "provider-key"
	SchemeStandardWebhooks = "standard-webhooks"
)

// Tolerance is how far a delivery's timestamp may be from the receiver's
// clock, in either direction, before Verify refuses it as stale.
const Tolerance = 5 * time.Minute

// SecretPrefix is the prefix of a Standard Webhooks secret; the rest is the
// base64 encoding of the HMAC key.
const SecretPrefix = "whsec_"

// Machine-readable codes reported in Verification.Code. Each failure comes
// with the human-readable Reason given in its comment. A receiver should
// answer every failure with 401.
const (
	CodeMissingCredentials = "MISSING_CREDENTIALS" // "missing credentials": neither scheme's headers
	CodeNotConfigured      = "NOT_CONFIGURED"      // "no key configured" / "no secret configured"
	CodeWrongKey           = "WRONG_KEY"           // "wrong key"
	CodeMissingTimestamp   = "MISSING_TIMESTAMP"   // "missing timestamp"
	CodeMalformedTimestamp = "MALFORMED_TIMESTAMP" // "malformed timestamp"
	CodeStaleTimestamp     = "STALE_TIMESTAMP"     // "stale timestamp"
	CodeMissingWebhookID   = "MISSING_WEBHOOK_ID"  // "missing webhook-id"
	CodeMalformedSignature = "MALFORMED_SIGNATURE" // "malformed signature header"
	CodeBadSignature       = "BAD_SIGNATURE"       // "bad signature"
	CodeSignatureRequired  = "SIGNATURE_REQUIRED"  // "signature required": the provider's key alone is not accepted
)

// Credentials are what the receiver accepts. Keys are provider keys for the
// X-Webhook-Key scheme and Secrets are Standard Webhooks secrets
// ("whsec_<base64>", or the bare base64). During a rotation both the current
// and the previous value are listed; any of them is accepted. Empty entries
// and secrets that do not decode are ignored, so they can never match.
//
// RequireSignature refuses the provider's scheme: a delivery must carry a
// Standard Webhooks signature. The provider's key is the same on every
// delivery and covers no body, so whoever sees one delivery could otherwise
// send any body with it.
type Credentials struct {
	Keys             []string
	Secrets          []string
	RequireSignature bool
}

// A Verification is the outcome of Verify. It is meant to be stored with the
// delivery and shown on the event page, whether or not it passed.
type Verification struct {
	// Scheme is SchemeStandardWebhooks or SchemeProviderKey, whichever
	// headers the delivery carried, or "" when it carried neither.
	Scheme string

	// OK reports whether the delivery is authentic and fresh.
	OK bool

	// Reason is a short human-readable explanation of a failure, such as
	// "wrong key" or "stale timestamp". It is "" when OK is true.
	Reason string

	// Code is the machine-readable form of Reason, one of the Code*
	// constants. It is "" when OK is true.
	Code string

	// WebhookID is the Standard Webhooks message id, if the delivery had one.
	WebhookID string

	// Timestamp is the send time the delivery claimed, if it could be
	// parsed; it is set for stale deliveries too.
	Timestamp time.Time

	// Index is the position, in Credentials.Keys or Credentials.Secrets
	// depending on Scheme, of the credential that matched, so a caller can
	// tell that a sender still uses a previous key during a rotation. It is
	// -1 when nothing matched.
	Index int
}

// String returns a one-line summary such as "standard-webhooks: ok" or
// "provider-key: wrong key".
func (v Verification) String() string {
	scheme := v.Scheme
	if scheme == "" {
		scheme = "none"
	}
	if v.OK {
		return scheme + ": ok"
	}
	return scheme + ": " + v.Reason
}

func fail(v Verification, code, reason string) Verification {
	v.OK = false
	v.Code = code
	v.Reason = reason
	v.Index = -1
	return v
}

// Verify reports whether a delivery with header h and body body is authentic
// under creds and was sent within Tolerance of now.
//
// If h has a webhook-signature header, the delivery is checked under the
// Standard Webhooks scheme; otherwise, if it has X-Webhook-Key, under the
// provider's scheme, unless creds.RequireSignature, which refuses it with
// "signature required"; otherwise it fails with "missing credentials".
// Verify never consults the other scheme once it has picked one, so a wrong
// signature cannot be rescued by a right key.
func Verify(h http.Header, body []byte, creds Credentials, now time.Time) Verification {
	switch {
	case h.Get(HeaderWebhookSignature) != "":
		return verifyStandard(h, body, creds, now)
	case creds.RequireSignature:
		v := Verification{}
		if h.Get(HeaderWebhookKey) != "" {
			v.Scheme = SchemeProviderKey
		}
		return fail(v, CodeSignatureRequired, "signature required")
	case h.Get(HeaderWebhookKey) != "":
		return verifyProvider(h, creds, now)
	}
	return fail(Verification{}, CodeMissingCredentials, "missing credentials")
}

func verifyProvider(h http.Header, creds Credentials, now time.Time) Verification {
	v := Verification{Scheme: SchemeProviderKey, Index: -1}

	// Hashing both sides first gives ConstantTimeCompare equal-length
	// inputs, so neither the key's length nor the position of the first
	// differing byte leaks through timing.
	got := sha256.Sum256([]byte(h.Get(HeaderWebhookKey)))
	configured := false
	for i, k := range creds.Keys {
		if k == "" {
			continue
		}
		configured = true
		want := sha256.Sum256([]byte(k))
		eq := subtle.ConstantTimeCompare(got[:], want[:])
		// Every key is compared, with no early exit, so the time taken does
		// not say which of the keys (current or previous) matched. The first
		// match wins.
		first := eq & subtle.ConstantTimeEq(int32(v.Index), -1)
		v.Index = subtle.ConstantTimeSelect(first, i, v.Index)
	}
	if !configured {
		return fail(v, CodeNotConfigured, "no key configured")
	}
	if v.Index < 0 {
		return fail(v, CodeWrongKey, "wrong key")
	}
	index := v.Index

	raw := h.Get(HeaderRequestTimestamp)
	if raw == "" {
		return fail(v, CodeMissingTimestamp, "missing timestamp")
	}
	ms, ok := parseEpoch(raw)
	if !ok {
		return fail(v, CodeMalformedTimestamp, "malformed timestamp")
	}
	v.Timestamp = time.UnixMilli(ms)
	if stale(v.Timestamp, now) {
		return fail(v, CodeStaleTimestamp, "stale timestamp")
	}
	v.OK = true
	v.Index = index
	return v
}

func verifyStandard(h http.Header, body []byte, creds Credentials, now time.Time) Verification {
	v := Verification{Scheme: SchemeStandardWebhooks, Index: -1, WebhookID: h.Get(HeaderWebhookID)}
	if v.WebhookID == "" {
		return fail(v, CodeMissingWebhookID, "missing webhook-id")
	}
	rawTS := h.Get(HeaderWebhookTimestamp)
	if rawTS == "" {
		return fail(v, CodeMissingTimestamp, "missing timestamp")
	}
	sec, ok := parseEpoch(rawTS)
	if !ok {
		return fail(v, CodeMalformedTimestamp, "malformed timestamp")
	}
	v.Timestamp = time.Unix(sec, 0)

	sigs, ok := parseSignatures(h.Values(HeaderWebhookSignature))
	if !ok {
		return fail(v, CodeMalformedSignature, "malformed signature header")
	}

	// Every secret is tried against every v1 entry: a sender may list
	// signatures under several secrets while it rotates, and the receiver may
	// hold the current and the previous one.
	configured := false
	index := -1
	for i, s := range creds.Secrets {
		key, err := decodeSecret(s)
		if err != nil {
			continue
		}
		configured = true
		mac := computeMAC(key, v.WebhookID, rawTS, body)
		for _, sig := range sigs {
			if hmac.Equal(mac, sig) && index < 0 {
				index = i
			}
		}
	}
	if !configured {
		return fail(v, CodeNotConfigured, "no secret configured")
	}
	// The timestamp is checked only after the signature: it is signed, so
	// "stale timestamp" then means an authentic but old (possibly replayed)
	// delivery, while a forgery always reads "bad signature".
	if index < 0 {
		return fail(v, CodeBadSignature, "bad signature")
	}
	if stale(v.Timestamp, now) {
		return fail(v, CodeStaleTimestamp, "stale timestamp")
	}
	v.OK = true
	v.Index = index
	return v
}

// parseSignatures returns the decoded v1 signatures in the webhook-signature
// header values. Entries of other versions (such as the asymmetric "v1a") and
// v1 entries that are not valid base64 are skipped, since one bad entry must
// not hide a good one. The header is malformed only when no entry has the
// "version,signature" shape at all.
func parseSignatures(values []string) (sigs [][]byte, ok bool) {
	for _, value := range values {
		for _, entry := range strings.Fields(value) {
			version, sig, found := strings.Cut(entry, ",")
			if !found || version == "" || sig == "" {
				continue
			}
			ok = true
			if version != "v1" {
				continue
			}
			b, err := base64.StdEncoding.DecodeString(sig)
			if err != nil {
				continue
			}
			sigs = append(sigs, b)
		}
	}
	return sigs, ok
}

// parseEpoch parses a non-negative decimal integer with no sign, spaces or
// fraction.
func parseEpoch(s string) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

func stale(ts, now time.Time) bool {
	// time.Time.Sub saturates instead of overflowing, so absurd timestamps
	// land far outside the window rather than wrapping into it.
	d := now.Sub(ts)
	return d > Tolerance || d < -Tolerance
}

func computeMAC(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

var errBadSecret = errors.New("webhook: secret is not whsec_ followed by base64")

func decodeSecret(secret string) ([]byte, error) {
	s := strings.TrimPrefix(secret, SecretPrefix)
	// Secrets are normally padded standard base64; unpadded copies (from a
	// config file or a form that trimmed the '=') are accepted too. An empty
	// key is refused: anyone could sign with it.
	if b, err := base64.StdEncoding.DecodeString(s); err == nil && len(b) > 0 {
		return b, nil
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil && len(b) > 0 {
		return b, nil
	}
	return nil, errBadSecret
}

// Sign returns the webhook-signature value, "v1,<base64>", for a delivery
// with message id id, sent at ts, carrying body, under the Standard Webhooks
// secret secret. The webhook-timestamp header must carry ts.Unix() in
// decimal. Sign fails only if secret does not decode.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	mac := computeMAC(key, id, strconv.FormatInt(ts.Unix(), 10), body)
	return "v1," + base64.StdEncoding.EncodeToString(mac), nil
}

// ValidSecret reports whether secret is a usable Standard Webhooks secret,
// for checking one before it is saved.
func ValidSecret(secret string) bool {
	_, err := decodeSecret(secret)
	return err == nil
}
