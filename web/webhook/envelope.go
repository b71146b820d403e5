package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"cardops/store"
)

// Statuses that ParseEnvelope normalises to. Any other status is kept,
// upper-cased, as it came.
const (
	StatusSuccess   = "SUCCESS"
	StatusPending   = "PENDING"
	StatusCancelled = "CANCELLED"
	StatusFailed    = "FAILED"
)

// Codes reported in EnvelopeError.Code. A receiver should answer each of them
// with 400.
const (
	CodeInvalidUTF8        = "INVALID_UTF8"
	CodeInvalidJSON        = "INVALID_JSON"
	CodeNotAnObject        = "NOT_AN_OBJECT"
	CodeMissingOperation   = "MISSING_OPERATION"
	CodeMissingOperationID = "MISSING_OPERATION_ID"
	CodeInvalidField       = "INVALID_FIELD"
	CodeInvalidData        = "INVALID_DATA"
	CodeDuplicateKey       = "DUPLICATE_KEY"
	CodeTooDeep            = "TOO_DEEP"
)

// An EnvelopeError is the error ParseEnvelope returns. Code is stable and
// machine-readable (one of the Code* constants above); Message says what is
// wrong in words fit for the sender.
type EnvelopeError struct {
	Code    string
	Message string
}

func (e *EnvelopeError) Error() string { return "webhook: " + e.Message }

// Is reports whether target is an *EnvelopeError with the same Code, so that
// errors.Is(err, ErrMissingOperation) works whatever the message says.
func (e *EnvelopeError) Is(target error) bool {
	t, ok := target.(*EnvelopeError)
	return ok && t.Code == e.Code
}

// Sentinel errors for use with errors.Is; ParseEnvelope returns errors with
// the same Code and a more specific Message.
var (
	ErrInvalidUTF8        = &EnvelopeError{CodeInvalidUTF8, "body is not valid UTF-8"}
	ErrInvalidJSON        = &EnvelopeError{CodeInvalidJSON, "body is not valid JSON"}
	ErrNotAnObject        = &EnvelopeError{CodeNotAnObject, "body is not a JSON object"}
	ErrMissingOperation   = &EnvelopeError{CodeMissingOperation, "missing operation"}
	ErrMissingOperationID = &EnvelopeError{CodeMissingOperationID, "missing operation_id"}
	ErrInvalidField       = &EnvelopeError{CodeInvalidField, "a field has the wrong type"}
	ErrInvalidData        = &EnvelopeError{CodeInvalidData, "data is not a JSON object"}
	ErrDuplicateKey       = &EnvelopeError{CodeDuplicateKey, "a key appears twice"}
	ErrTooDeep            = &EnvelopeError{CodeTooDeep, "body nests too deep"}
)

func envErr(code, format string, args ...any) error {
	return &EnvelopeError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// An Envelope is the provider's notification envelope.
type Envelope struct {
	Operation    string          // e.g. "CARDS"; from "operation", else "product"
	SubOperation string          // e.g. "AUTHORIZATION"; from "sub_operation", else "event_type"; may be ""
	OperationID  string          // the provider's id for the notification; retries repeat it
	Status       string          // NormalizeStatus(StatusRaw): SUCCESS, PENDING, CANCELLED, FAILED, another upper-cased value, or ""
	StatusRaw    string          // status exactly as sent
	Reason       string          // why, when FAILED or CANCELLED; may be ""
	Data         json.RawMessage // the data object exactly as sent; nil if absent or null
	CardID       string          // data.card_id, if it is a string
	WalletID     string          // data.wallet_id, if it is a string
}

// ParseEnvelope parses body as the provider's notification envelope. The
// error, if any, is an *EnvelopeError.
//
// The body must be one UTF-8 JSON object with a non-empty operation (or
// product) and operation_id; data, when present and not null, must be an
// object. Unknown operations, sub-operations and statuses are accepted, and
// unknown fields are ignored. A key that appears twice in the envelope or in
// data, exactly or in another case ("operation" and "OPERATION"), is
// refused: which one counts would be a guess, and the event stored would
// say something the raw body does not. ParseEnvelope does not limit the body's size;
// the caller should read it through http.MaxBytesReader.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if !utf8.Valid(body) {
		return env, envErr(CodeInvalidUTF8, "body is not valid UTF-8")
	}
	// A byte-order mark is legal UTF-8 but not JSON; some senders add one,
	// and refusing them for it would help no one.
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if len(bytes.TrimSpace(body)) == 0 {
		return env, envErr(CodeInvalidJSON, "body is empty")
	}
	if d := store.JSONDepth(body); d > store.MaxJSONDepth {
		return env, envErr(CodeTooDeep, "body nests %d levels deep, more than %d", d, store.MaxJSONDepth)
	}

	// The common case, one valid JSON object, is read in one call; anything
	// else goes the slow way, which says precisely what is wrong.
	var f envelopeFields
	trimmed := bytes.TrimSpace(body)
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &f) != nil {
		var err error
		if f, err = objectFields(body); err != nil {
			return env, err
		}
	}
	// trimmed is now known to be one valid JSON object.
	if err := uniqueKeys("", trimmed); err != nil {
		return env, err
	}

	var err error
	if env.Operation, err = firstString("operation", f.Operation, "product", f.Product); err != nil {
		return Envelope{}, err
	}
	if env.Operation == "" {
		return Envelope{}, envErr(CodeMissingOperation, "missing operation")
	}
	if env.SubOperation, err = firstString("sub_operation", f.SubOperation, "event_type", f.EventType); err != nil {
		return Envelope{}, err
	}
	if env.OperationID, err = operationID(f.OperationID); err != nil {
		return Envelope{}, err
	}
	if env.OperationID == "" {
		return Envelope{}, envErr(CodeMissingOperationID, "missing operation_id")
	}
	if env.StatusRaw, err = stringField("status", f.Status); err != nil {
		return Envelope{}, err
	}
	env.Status = NormalizeStatus(env.StatusRaw)
	if env.Reason, err = stringField("reason", f.Reason); err != nil {
		return Envelope{}, err
	}

	if d := f.Data; len(d) > 0 && !isNull(d) {
		if d[0] != '{' {
			return Envelope{}, envErr(CodeInvalidData, "data is a JSON %s, want an object", kind(d))
		}
		if err := uniqueKeys("data", d); err != nil {
			return Envelope{}, err
		}
		env.Data = d
		var ids dataIDs
		if err := json.Unmarshal(d, &ids); err == nil {
			// Ids of another type are left out rather than refused: data
			// varies by event type and is stored as sent either way.
			env.CardID = optString(ids.CardID)
			env.WalletID = optString(ids.WalletID)
		}
	}
	return env, nil
}

// envelopeFields are the envelope's fields as raw values, so that each one's
// type can be checked and reported by name, and so numbers are never rounded
// through float64. Decoding into a struct rather than a map skips the other
// fields without copying them; like all of encoding/json, it matches names
// ignoring case, preferring an exact match.
type envelopeFields struct {
	Operation    json.RawMessage `json:"operation"`
	Product      json.RawMessage `json:"product"`
	SubOperation json.RawMessage `json:"sub_operation"`
	EventType    json.RawMessage `json:"event_type"`
	OperationID  json.RawMessage `json:"operation_id"`
	Status       json.RawMessage `json:"status"`
	Reason       json.RawMessage `json:"reason"`
	Data         json.RawMessage `json:"data"`
}

// dataIDs are the ids the receiver indexes events by, from data.
type dataIDs struct {
	CardID   json.RawMessage `json:"card_id"`
	WalletID json.RawMessage `json:"wallet_id"`
}

// objectFields reads body as exactly one JSON object and says precisely what
// is wrong when it is not one.
func objectFields(body []byte) (envelopeFields, error) {
	var f envelopeFields
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return f, envErr(CodeInvalidJSON, "body is not valid JSON: %s", jsonErrText(err))
	}
	// Decode stops after the first value; anything but white space after it
	// means the body is not one JSON document.
	if _, err := dec.Token(); err != io.EOF {
		return f, envErr(CodeInvalidJSON, "body is not valid JSON: unexpected data after the top-level %s", kind(raw))
	}
	if raw[0] != '{' {
		return f, envErr(CodeNotAnObject, "body is a JSON %s, want an object", kind(raw))
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return f, envErr(CodeInvalidJSON, "body is not valid JSON: %s", jsonErrText(err))
	}
	return f, nil
}

// TopKeys checks a JSON object's own keys, obj valid JSON: it refuses keys
// that are not distinct when case is ignored (the error's Message says
// which), and returns the keys otherwise. Anything but an object has none.
func TopKeys(obj []byte) ([]string, error) {
	obj = bytes.TrimSpace(obj)
	if len(obj) == 0 || obj[0] != '{' {
		return nil, nil
	}
	if err := uniqueKeys("", obj); err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(obj, &m); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys, nil
}

// uniqueKeys refuses a JSON object, obj, whose keys are not distinct when
// case is ignored (as encoding/json matches them to fields). obj must be
// valid JSON starting with '{'; only its own keys are compared, not those
// of nested objects. where names the object in the error ("" for the
// envelope itself).
func uniqueKeys(where string, obj []byte) error {
	var small [24][]byte
	keys := small[:0]
	var folded map[string][]byte // once there are many keys
	i := 1
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return nil // "}" of an empty object; anything else cannot be (obj is valid)
		}
		end := stringEnd(obj, i)
		key := obj[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var s string
			if json.Unmarshal(obj[i:end], &s) != nil {
				return nil
			}
			key = []byte(s)
		}
		var seen []byte
		if folded == nil {
			for _, k := range keys {
				if bytes.EqualFold(k, key) {
					seen = k
					break
				}
			}
			if keys = append(keys, key); len(keys) > len(small) {
				folded = make(map[string][]byte, 2*len(keys))
				for _, k := range keys {
					folded[foldKey(k)] = k
				}
			}
		} else {
			fk := foldKey(key)
			seen = folded[fk]
			if seen == nil {
				folded[fk] = key
			}
		}
		if seen != nil {
			in := ""
			if where != "" {
				in = " in " + where
			}
			if bytes.Equal(seen, key) {
				return envErr(CodeDuplicateKey, "key %q appears twice%s", key, in)
			}
			return envErr(CodeDuplicateKey, "keys %q and %q%s name the same field (case is ignored)", seen, key, in)
		}
		i = skipSpace(obj, end)
		if i >= len(obj) || obj[i] != ':' {
			return nil
		}
		i = skipValue(obj, skipSpace(obj, i+1))
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != ',' {
			return nil
		}
		i++
	}
}

// foldKey maps a key to one form shared by all the keys bytes.EqualFold
// takes for equal to it: each letter becomes the smallest rune of its
// case-folding orbit.
func foldKey(k []byte) string {
	var b strings.Builder
	b.Grow(len(k))
	for _, r := range string(k) {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		b.WriteRune(low)
	}
	return b.String()
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the valid JSON value at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// NormalizeStatus maps a provider status to SUCCESS, PENDING, CANCELLED or
// FAILED, ignoring case and surrounding space. FINISHED, seen in older
// documentation, means SUCCESS, and the American CANCELED means CANCELLED.
// Any other status is returned upper-cased, and "" stays "".
func NormalizeStatus(raw string) string {
	s := strings.ToUpper(strings.TrimSpace(raw))
	switch s {
	case "FINISHED":
		return StatusSuccess
	case "CANCELED":
		return StatusCancelled
	}
	return s
}

// firstString returns the first of two fields that is a non-empty string,
// so a documented alternative key fills in for a missing one.
func firstString(name string, v json.RawMessage, altName string, alt json.RawMessage) (string, error) {
	for _, f := range []struct {
		name string
		v    json.RawMessage
	}{{name, v}, {altName, alt}} {
		s, err := stringField(f.name, f.v)
		if err != nil {
			return "", err
		}
		if s = strings.TrimSpace(s); s != "" {
			return s, nil
		}
	}
	return "", nil
}

// stringField returns the field called name, whose raw value is v, as a
// string; absent and null read as "", any other non-string is an error.
func stringField(name string, v json.RawMessage) (string, error) {
	if len(v) == 0 || isNull(v) {
		return "", nil
	}
	s, ok := unquote(v)
	if !ok {
		return "", envErr(CodeInvalidField, "%s is a JSON %s, want a string", name, kind(v))
	}
	return s, nil
}

// unquote returns the JSON string v as a Go string; ok is false when v is
// not a valid JSON string. Strings without escapes, most of them, are copied
// as they are: v came from a decoder that validated it.
func unquote(v json.RawMessage) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v[1 : len(v)-1]), true
	}
	return s, json.Unmarshal(v, &s) == nil
}

// operationID accepts a string or, leniently, a JSON number, which is kept
// exactly as written so that deduplication sees the sender's digits.
func operationID(v json.RawMessage) (string, error) {
	if len(v) == 0 || isNull(v) {
		return "", nil
	}
	switch {
	case v[0] == '"':
		s, ok := unquote(v)
		if !ok {
			return "", envErr(CodeInvalidField, "operation_id is not a valid JSON string")
		}
		return strings.TrimSpace(s), nil
	case kind(v) == "number":
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil {
			return "", envErr(CodeInvalidField, "operation_id is not a valid JSON number")
		}
		return n.String(), nil
	}
	return "", envErr(CodeInvalidField, "operation_id is a JSON %s, want a string", kind(v))
}

func optString(v json.RawMessage) string {
	s, _ := unquote(v)
	return s
}

func isNull(v json.RawMessage) bool { return string(v) == "null" }

// kind names the JSON type of a raw value, which starts with no white space
// (as encoding/json hands raw values out).
func kind(v json.RawMessage) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// jsonErrText describes a decoding error with its byte offset where the
// decoder knows it.
func jsonErrText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return "unexpected end of input"
	}
	return err.Error()
}
