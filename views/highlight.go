package views

import (
	"strings"
	"unicode/utf8"

	"cardops/store"
)

// Segment is a piece of text to show, marked when it matched the search.
type Segment struct {
	Text string
	Mark bool
}

// HighlightName splits a holder name into segments, marking every place
// where one of terms (normalised with store.NormalizeName) occurs, ignoring
// case and accents: "jose" marks "José" in "José Müller".
func HighlightName(name string, terms []string) []Segment {
	if len(terms) == 0 || name == "" {
		return []Segment{{Text: name}}
	}
	// Fold each rune on its own and remember where each folded byte came
	// from, so a match in the folded text maps back to the original.
	var folded strings.Builder
	var from []int // from[i] = byte offset in name of folded byte i
	for i, r := range name {
		f := store.NormalizeName(string(r))
		if f == "" && r == ' ' {
			f = " "
		}
		for j := 0; j < len(f); j++ {
			from = append(from, i)
		}
		folded.WriteString(f)
	}
	fs := folded.String()
	marked := make([]bool, len(name))
	for _, t := range terms {
		if t == "" {
			continue
		}
		for at := 0; ; {
			i := strings.Index(fs[at:], t)
			if i < 0 {
				break
			}
			start, end := at+i, at+i+len(t)
			lo := from[start]
			hi := len(name)
			if end < len(from) {
				hi = from[end]
			}
			// A folded rune that expands ("ß" → "ss") may be only partly
			// inside the match: mark it whole.
			if end < len(from) && end > 0 && from[end] == from[end-1] {
				_, size := utf8.DecodeRuneInString(name[from[end-1]:])
				hi = from[end-1] + size
			}
			for k := lo; k < hi; k++ {
				marked[k] = true
			}
			at = start + 1
		}
	}
	return segments(name, marked)
}

// HighlightPrefix marks the first n bytes of s when they match prefix,
// ignoring ASCII case.
func HighlightPrefix(s, prefix string) []Segment {
	if prefix == "" || len(prefix) > len(s) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return []Segment{{Text: s}}
	}
	out := []Segment{{Text: s[:len(prefix)], Mark: true}}
	if len(prefix) < len(s) {
		out = append(out, Segment{Text: s[len(prefix):]})
	}
	return out
}

func segments(s string, marked []bool) []Segment {
	var out []Segment
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || marked[i] != marked[start] {
			out = append(out, Segment{Text: s[start:i], Mark: marked[start]})
			start = i
		}
	}
	return out
}
