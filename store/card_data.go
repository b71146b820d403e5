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
var cardSecretKey = regexp.MustCompile(`(?i)^(?:cvv2?|cvc2?|csc|cid|security_?code|card_?verification(?:_?(?:value|code))?|pin(?:_?code)?)$`)

// cardSecretField finds such a field in text that is not JSON (a refused
// delivery's body).
var cardSecretField = regexp.MustCompile(`(?i)("(?:cvv2?|cvc2?|csc|cid|security_?code|card_?verification(?:_?(?:value|code))?|pin(?:_?code)?)"\s*:\s*)("(?:[^"\\]|\\.)*"|[0-9]+)`)

// RedactCardData returns body with every card number masked and every
// verification code or PIN field's value replaced by "[redacted]". A JSON
// body stays valid JSON with its fields in their order (a bare number that
// is a card number becomes a string); any other body is masked as text.
// A body with nothing to hide is returned as it is.
func RedactCardData(body []byte) []byte {
	if !mayHoldCardData(body) {
		return body
	}
	if out, changed, err := redactJSONCardData(body); err == nil {
		if !changed {
			return body
		}
		return out
	}
	s := cardSecretField.ReplaceAllString(string(body), `$1"[redacted]"`)
	return []byte(MaskCardNumbers(s))
}

// mayHoldCardData is the cheap test every body passes: a run of 13 or more
// digits (spaces, dashes or dots between them), a JSON escape (which could
// spell digits), or a field named like a verification code.
func mayHoldCardData(b []byte) bool {
	run := 0
	for i, c := range b {
		switch {
		case '0' <= c && c <= '9':
			run++
			if run >= 13 {
				return true
			}
		case (c == ' ' || c == '-' || c == '.') && run > 0 && i+1 < len(b) && '0' <= b[i+1] && b[i+1] <= '9':
		case c == '\\' && i+1 < len(b) && b[i+1] == 'u':
			return true
		default:
			run = 0
		}
	}
	return cardSecretField.Match(b)
}

// redactJSONCardData rewrites a JSON document token by token: the same
// fields in the same order, compact, with card data replaced; changed
// reports whether there was any.
func redactJSONCardData(body []byte) (_ []byte, changed bool, _ error) {
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
			m := MaskCardNumbers(v)
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
			case len(v) >= 13 && len(v) <= 19 && strings.Trim(string(v), "0123456789") == "" && LuhnValid(string(v)):
				write(MaskPAN(string(v)))
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
