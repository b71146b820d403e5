package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
)

// Card data that a notification body may carry (a provider's, or anyone's
// who posts to the receiver) never reaches the database: RedactCardData
// masks card numbers (MaskPAN) and replaces verification codes and PINs
// before a delivery or a refusal is stored, so the event pages, the text
// index and a replay see only the masked body.

// cardSecretKey is a JSON field whose value is a card verification code or
// PIN, whatever it holds.
var cardSecretKey = regexp.MustCompile(`(?i)^(?:cvv2?|cvc2?|csc|security_?code|card_?verification(?:_?(?:value|code))?|pin(?:_?code)?)$`)

// cardSecretField finds such a field in text that is not JSON (a refused
// delivery's body).
var cardSecretField = regexp.MustCompile(`(?i)("(?:cvv2?|cvc2?|csc|security_?code|card_?verification(?:_?(?:value|code))?|pin(?:_?code)?)"\s*:\s*)("(?:[^"\\]|\\.)*"|[0-9]+)`)

// RedactCardData returns body with every card number masked and every
// verification code or PIN field's value replaced by "[redacted]". A JSON
// body stays valid JSON with its fields in their order (a bare number that
// is a card number becomes a string); any other body is masked as text.
// A body with nothing to hide is returned as it is.
func RedactCardData(body []byte) []byte { return redactCardData(body, MaskPAN) }

// redactCardData is RedactCardData with what replaces a card number's
// digits.
func redactCardData(body []byte, with func(digits string) string) []byte {
	if !mayHoldCardData(body) {
		return body
	}
	if out, changed, err := redactJSONCardData(body, with); err == nil {
		if !changed {
			return body
		}
		return out
	}
	s := cardSecretField.ReplaceAllString(string(body), `$1"[redacted]"`)
	return []byte(replaceCardNumbers(panLike, s, with))
}

// mayHoldCardData is the test every body passes before any rewriting, one
// pass over its bytes (the regular expressions cost ten times as much, on
// every delivery): a run of digits that is a card number where
// MaskCardNumbers would find one, a JSON escape of a digit (which could
// spell one), or a quoted field name like a verification code's.
func mayHoldCardData(b []byte) bool {
	if bytes.Contains(b, []byte(`\u003`)) {
		return true
	}
	var digits []byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			if j := bytes.IndexByte(b[i+1:], '"'); j > 0 && j <= 40 && cardSecretName(b[i+1:i+1+j]) {
				return true
			}
		case isDigit(c) && (i == 0 || !isWordByte(b[i-1])):
			// A run of digits, single spaces or dashes between them, that
			// starts and ends at a word boundary, as panLike reads it.
			digits = digits[:0]
			j, seps := i, false
			for j < len(b) {
				if isDigit(b[j]) {
					digits = append(digits, b[j])
					j++
				} else if (b[j] == ' ' || b[j] == '-') && j+1 < len(b) && isDigit(b[j+1]) {
					j, seps = j+1, true
				} else {
					break
				}
			}
			switch {
			case len(digits) < 13:
			case seps:
				// Its spaces or dashes are word boundaries, so a number
				// may end at one: the full reading, on the run and the
				// byte after it (a superset: at worst a rewrite that finds
				// nothing).
				if m := string(b[i:min(j+1, len(b))]); MaskCardNumbers(m) != m {
					return true
				}
			case (j == len(b) || !isWordByte(b[j])) && cardNumberDigits(string(digits)):
				return true
			}
			i = j - 1
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'A' <= c&^0x20 && c&^0x20 <= 'Z' || c == '_'
}

// cardSecretName reports whether a field name is a verification code's or
// a PIN's (cardSecretKey, without the regular expression).
func cardSecretName(name []byte) bool {
	var n [40]byte
	k := 0
	for _, c := range name {
		if c == '_' {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		n[k] = c
		k++
	}
	switch string(n[:k]) {
	case "cvv", "cvv2", "cvc", "cvc2", "csc", "securitycode", "cardverification", "cardverificationvalue",
		"cardverificationcode", "pin", "pincode":
		return true
	}
	return false
}

// redactJSONCardData rewrites a JSON document token by token: the same
// fields in the same order, compact, with card data replaced; changed
// reports whether there was any.
func redactJSONCardData(body []byte, with func(digits string) string) (_ []byte, changed bool, _ error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object, wantKey bool
		n               int
		key             string
	}
	var stack []frame
	var out bytes.Buffer
	write := func(v any) {
		b, _ := json.Marshal(v)
		out.Write(b)
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, err
		}
		var top *frame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			out.WriteByte(byte(d))
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].n++
				stack[len(stack)-1].wantKey = stack[len(stack)-1].object
			}
			continue
		}
		if top != nil && top.n > 0 && (!top.object || top.wantKey) {
			out.WriteByte(',')
		}
		if top != nil && top.object && top.wantKey {
			key, _ := tok.(string)
			write(key)
			out.WriteByte(':')
			top.key, top.wantKey = key, false
			continue
		}
		secret := top != nil && top.object && cardSecretKey.MatchString(top.key)
		switch v := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(v))
			stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
			continue
		case string:
			m := replaceCardNumbers(panLike, v, with)
			if secret {
				m = "[redacted]"
			}
			changed = changed || m != v
			write(m)
		case json.Number:
			switch {
			case secret:
				write("[redacted]")
				changed = true
			case strings.Trim(string(v), "0123456789") == "" && cardNumberDigits(string(v)):
				write(with(string(v)))
				changed = true
			default:
				out.WriteString(string(v))
			}
		default: // a boolean or null: kept, but not as a verification code
			if secret {
				write("[redacted]")
				changed = true
			} else {
				write(v)
			}
		}
		if top != nil {
			top.n++
			top.wantKey = top.object
		}
	}
	if len(stack) != 0 {
		return nil, false, errors.New("unbalanced JSON")
	}
	return out.Bytes(), changed, nil
}
