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
)

// FieldErrors maps a form field's name to the code of what is wrong with it.
// A Validate method returns nil when nothing is.
type FieldErrors map[string]string

// Error lists the fields and codes, for logs and audit details.
func (f FieldErrors) Error() string {
	parts := make([]string, 0, len(f))
	for k, v := range f {
		parts = append(parts, k+": "+v)
	}
	sort.Strings(parts)
	return "invalid " + strings.Join(parts, ", ")
}
