package store

import (
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

// Error lists the fields and codes, for logs and audit details.
func (f FieldErrors) Error() string {
	parts := make([]string, 0, len(f))
	for k, v := range f {
		parts = append(parts, k+": "+v)
	}
	sort.Strings(parts)
	return "invalid " + strings.Join(parts, ", ")
}
