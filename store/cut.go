package store

import (
	"fmt"
	"unicode/utf8"
)

// The ways a value is bounded before it is stored, logged or shown.

// Cut returns s unchanged when it is at most n bytes long. Otherwise it
// returns the start of s, cut on a UTF-8 boundary, followed by a mark that
// says it was cut and how long it was ("…[cut, 1048576 bytes]"), n bytes in
// all (n should leave room for the mark: 64 or more).
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	mark := fmt.Sprintf("…[cut, %d bytes]", len(s))
	return CutBytes(s, max(0, n-len(mark))) + mark
}

// CutBytes returns at most the first n bytes of s, never ending inside a
// character, with no mark (for a filter value, where a mark would change
// what is looked for).
func CutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CutRunes returns at most the first n characters of s.
func CutRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
