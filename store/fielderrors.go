package store

import (
	"fmt"
	"sort"
	"strings"
)

// Field error codes: why a submitted field is wrong. The store names the
// field and the code; views words them for people.
const (
	FieldRequired = "required"
	FieldInvalid  = "invalid"
	FieldTooLong  = "too_long"
	FieldTooShort = "too_short"
	// FieldTaken: the value (a username) is already in use.
	FieldTaken = "taken"
	// FieldMismatch: a repeated value (the new password typed twice) differs.
	FieldMismatch = "mismatch"
	// FieldWrong: the value (the current password) is not the right one.
	FieldWrong = "wrong"
	// FieldWeak: a password long enough but guessed first (one character
	// repeated, a run along the alphabet, the digits or the keyboard, one
	// of the passwords most often used).
	FieldWeak = "weak"
	// Amounts (ParseAmount): below zero, zero, finer than a cent, above
	// the bound.
	FieldNegative   = "negative"
	FieldZero       = "zero"
	FieldTooPrecise = "too_precise"
	FieldTooLarge   = "too_large"
	// FieldNotAllowed: the value is valid alone but not with the rest of
	// the form (a failed variant of a declined authorization).
	FieldNotAllowed = "not_allowed"
	// FieldNoBody: the event chosen has no stored body to send again.
	FieldNoBody = "no_body"
	// FieldNoOperation: a payload without an operation and operation_id.
	FieldNoOperation = "no_operation"
)

// FieldErrors maps a form field's name to the code of what is wrong with it.
// A Validate method returns nil when nothing is.
type FieldErrors map[string]string

// add records field's code unless the field already has one: the first
// thing wrong with a field is the one worth saying.
func (f FieldErrors) add(field, code string) {
	if _, ok := f[field]; !ok {
		f[field] = code
	}
}

// orNil is f, or nil when it holds nothing, so that a Validate can end with
// return fe.orNil().
func (f FieldErrors) orNil() FieldErrors {
	if len(f) == 0 {
		return nil
	}
	return f
}

// Error words what is wrong with each field for a person reading the audit
// log or a server log ("no such reason", "password too short (at least 10
// characters)"), the fields in name order.
func (f FieldErrors) Error() string {
	parts := make([]string, 0, len(f))
	for k, v := range f {
		parts = append(parts, fieldProblem(k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// choiceFields are the fields whose value is picked from a list: an
// invalid one is "no such" value.
var choiceFields = map[string]bool{"reason": true, "level": true, "kind": true, "action": true,
	"status": true, "token": true, "scheme": true, "variant": true, "event": true}

// fieldProblem words one field's code.
func fieldProblem(field, code string) string {
	name := strings.ReplaceAll(field, "_", " ")
	switch code {
	case FieldRequired:
		return name + " missing"
	case FieldInvalid:
		if choiceFields[field] {
			return "no such " + name
		}
		return name + " not valid"
	case FieldTooLong:
		return name + " too long"
	case FieldTooShort:
		if strings.Contains(field, "password") || field == "new" {
			return fmt.Sprintf("%s too short (at least %d characters)", name, MinPasswordLength)
		}
		return name + " too short"
	case FieldTaken:
		return name + " already in use"
	case FieldMismatch:
		return name + " typed twice differently"
	case FieldWrong:
		return name + " wrong"
	case FieldNegative:
		return name + " below zero"
	case FieldZero:
		return name + " zero"
	case FieldTooPrecise:
		return name + " finer than a cent"
	case FieldTooLarge:
		return name + " too large"
	case FieldNotAllowed:
		return name + " not allowed with the rest of the form"
	case FieldNoBody:
		return name + ": no stored body to send"
	case FieldNoOperation:
		return name + ": no operation or operation_id"
	}
	return name + ": " + code
}
