package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName folds a cardholder name (or a search for one) to the form
// kept in cards.name_norm: lower case, accents removed, apostrophes and
// hyphens removed, runs of white space collapsed to one space, no leading or
// trailing space. "  José   MÜLLER " and "jose muller" both fold to "jose
// muller"; so do "Łukasz" and "lukasz", "Strauß" and "strauss", "Søren" and
// "soren", "İlker" and "ilker", "O'CONNOR" and "oconnor", "Al-Shehri" and
// "alshehri".
//
// Letters that carry an accent as a combining mark are decomposed
// (compatibility decomposition, so ligatures and full-width letters fold too)
// and the mark dropped; the few Latin letters that Unicode does not decompose
// (ß, ø, æ, œ, ł, đ, ı, þ, …) are folded by a small table. Apostrophes and
// hyphens, typographic ones included, are dropped like accents: people type
// "oconnor" for O'Connor and "alshehri" for Al-Shehri. (Migration 0010 refolds the
// names stored before this rule with the SQL equivalent: keep the two in
// step.)
func NormalizeName(s string) string {
	if isASCII(s) {
		return foldASCIIName(s)
	}
	d := norm.NFKD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	space := false // a space is pending: written before the next letter
	for _, r := range d {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if isNameMark(r) {
			// Dropped without writing the pending space, which the next
			// letter writes.
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if f, ok := nameFolds[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nameFolds folds the lower-case letters that have no canonical or
// compatibility decomposition to their usual ASCII transliteration.
var nameFolds = map[rune]string{
	'ß': "ss", 'ẞ': "ss",
	'ø': "o", 'æ': "ae", 'œ': "oe",
	'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th",
	'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŋ': "ng", 'ĸ': "k",
	'ſ': "s", 'ƒ': "f", 'ɨ': "i", 'ʉ': "u",
	'ə': "e", 'ɛ': "e", 'ɔ': "o", 'ƴ': "y", 'ɓ': "b", 'ɗ': "d",
}

// isNameMark reports whether r is an apostrophe or a hyphen inside a name,
// ASCII or typographic (O’Brien, Jean‐Luc), which NormalizeName drops.
func isNameMark(r rune) bool {
	switch r {
	case '\'', '-', '\u2019', '\u2018', '\u02bc', '\u00b4', '\u2010', '\u2011', '\u2013':
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// foldASCIIName is NormalizeName for pure-ASCII input, which is most input,
// without the decomposition's allocations.
func foldASCIIName(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			space = len(b) > 0
			continue
		case c == '\'' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, c)
	}
	return string(b)
}

// NormalizePhone keeps only the ASCII digits of s, the form kept in
// cards.phone_norm: "+34 612-34-56-78" becomes "34612345678".
func NormalizePhone(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; '0' <= c && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}
