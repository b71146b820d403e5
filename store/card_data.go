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

// cardSecretHead finds, in text that is not JSON (a refused delivery's
// body), the start of a quoted field or of a name=value pair: its name
// (group 1 or 2) and where its value starts (the match's end).
// cardSecretName decides whether the value is a secret.
var cardSecretHead = regexp.MustCompile(`"([^"\\]{1,256})"\s*:\s*|\b([A-Za-z][A-Za-z0-9_-]{0,255})\s*[=:]\s*`)

// redactCardSecretsText replaces, in text, the values of fields and
// name=value pairs named like a verification code or PIN.
func redactCardSecretsText(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range cardSecretHead.FindAllStringSubmatchIndex(s, -1) {
		quoted := m[2] >= 0
		var name string
		if quoted {
			name = s[m[2]:m[3]]
		} else {
			name = s[m[4]:m[5]]
		}
		if m[0] < last || !cardSecretName([]byte(name)) {
			continue
		}
		v := m[1] // the value: a quoted string, or up to a separator
		if v < len(s) && s[v] == '"' {
			v++
			for v < len(s) && s[v] != '"' {
				if s[v] == '\\' {
					v++
				}
				v++
			}
			v = min(v+1, len(s))
		} else {
			for v < len(s) && !strings.ContainsRune("&,;}] \t\r\n\"", rune(s[v])) {
				v++
			}
		}
		b.WriteString(s[last:m[1]])
		if quoted || m[1] < len(s) && s[m[1]] == '"' {
			b.WriteString(`"[redacted]"`)
		} else {
			b.WriteString("[redacted]")
		}
		last = v
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

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
	return []byte(replaceCardNumbers(redactCardSecretsText(string(body)), with))
}

// mayHoldCardData is the test every body passes before any rewriting, one
// pass over its bytes (the regular expressions cost ten times as much, on
// every delivery): a card number written in it (cardNumberSpans), a JSON
// \u escape (which could spell a digit or a code's name), or a name like a
// verification code's, quoted or before "=" or ":".
func mayHoldCardData(b []byte) bool {
	if bytes.Contains(b, []byte(`\u`)) || hasCardNumber(b) {
		return true
	}
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			// A quoted string: only a field's name (a ":" after it) can
			// be a code's. Its inside is read on (a "cvv=" in text).
			end := i + 1
			for end < len(b) && b[end] != '"' {
				if b[end] == '\\' {
					end++
				}
				end++
			}
			k := end + 1
			for k < len(b) && (b[k] == ' ' || b[k] == '\t' || b[k] == '\n' || b[k] == '\r') {
				k++
			}
			if k < len(b) && b[k] == ':' && cardSecretName(b[i+1:end]) {
				return true
			}
		case '=', ':':
			k := i
			for k > 0 && b[k-1] == ' ' {
				k--
			}
			x := k
			for x > 0 && k-x < 256 && isNameByte(b[x-1]) {
				x--
			}
			if x < k && cardSecretName(b[x:k]) {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isNameByte(c byte) bool {
	return isDigit(c) || 'A' <= c&^0x20 && c&^0x20 <= 'Z' || c == '_' || c == '-'
}

// cardSecretName reports whether a field or header name is a card
// verification code's or a PIN's, however it is spelled: case, "_" and
// "-" aside, it holds cvv, cvc, securitycode or cardverification, or ends
// in csc, pin, pincode or pinblock ("card_cvv", "X-Card-CVC2", "cardPin").
func cardSecretName(name []byte) bool {
	var buf [64]byte
	s := buf[:0]
	for _, c := range name {
		if c == '_' || c == '-' || c == ' ' {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		s = append(s, c)
	}
	// One pass for cvv and cvc, then the rarer spellings (this runs on
	// every field name of every delivery).
	for i := 0; i+2 < len(s); i++ {
		if s[i] == 'c' && s[i+1] == 'v' && (s[i+2] == 'v' || s[i+2] == 'c') {
			return true
		}
	}
	str := string(s) // does not allocate: only compared
	return strings.HasSuffix(str, "pin") || strings.HasSuffix(str, "csc") || strings.HasSuffix(str, "pincode") ||
		strings.HasSuffix(str, "pinblock") || len(s) >= 12 && (strings.Contains(str, "securitycode") || strings.Contains(str, "cardverification"))
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
			// A key is text too: a card number used as one is masked.
			key, _ := tok.(string)
			m := replaceCardNumbers(key, with)
			changed = changed || m != key
			write(m)
			out.WriteByte(':')
			top.key, top.wantKey = key, false
			continue
		}
		secret := top != nil && top.object && cardSecretName([]byte(top.key))
		switch v := tok.(type) {
		case json.Delim:
			if !secret {
				out.WriteByte(byte(v))
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
				continue
			}
			// A code's value that is an array or object ({"cvv":["987"]})
			// goes whole.
			if err := skipJSONValue(dec); err != nil {
				return nil, false, err
			}
			write("[redacted]")
			changed = true
		case string:
			m := replaceCardNumbers(v, with)
			if secret {
				m = "[redacted]"
			}
			changed = changed || m != v
			write(m)
		case json.Number:
			// A number is read as written: 4111111111111111.0 and
			// 4.111111111111111e15 are card numbers too.
			switch m := replaceCardNumbers(string(v), with); {
			case secret:
				write("[redacted]")
				changed = true
			case m != string(v):
				write(m)
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

// skipJSONValue reads the rest of an array or object whose opening
// delimiter dec has just returned.
func skipJSONValue(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// redactHeaderCardData returns h with every card number in a header's name
// or value masked and the values of headers named like a verification code
// or PIN (X-Card-CVV) replaced; h itself when there is nothing to hide.
func redactHeaderCardData(h map[string][]string) map[string][]string {
	hides := func(k string, vs []string) bool {
		if hasCardNumber(k) || cardSecretName([]byte(k)) {
			return true
		}
		for _, v := range vs {
			if hasCardNumber(v) {
				return true
			}
		}
		return false
	}
	found := false
	for k, vs := range h {
		if found = hides(k, vs); found {
			break
		}
	}
	if !found {
		return h
	}
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if !hides(k, vs) {
			out[k] = vs
			continue
		}
		name := MaskCardNumbers(k)
		if cardSecretName([]byte(k)) {
			out[name] = []string{"[redacted]"}
			continue
		}
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = MaskCardNumbers(v)
		}
		out[name] = append(out[name], masked...)
	}
	return out
}
