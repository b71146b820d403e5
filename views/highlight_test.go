package views

import (
	"strings"
	"testing"
)

func render(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Mark {
			b.WriteString("[" + s.Text + "]")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

func TestHighlightName(t *testing.T) {
	for _, tc := range []struct {
		name  string
		terms []string
		want  string
	}{
		{"José García", []string{"jose"}, "[José] García"},
		{"José García", []string{"garc", "jose"}, "[José] [Garc]ía"},
		{"Anna MÜLLER", []string{"muller"}, "Anna [MÜLLER]"},
		{"Søren Kierkegaard", []string{"soren"}, "[Søren] Kierkegaard"},
		{"Hans Straße", []string{"stras"}, "Hans [Straß]e"},
		{"Zoë O'Brien", []string{"ob"}, "Zoë [O'B]rien"}, // "o'b" and "ob" both fold to "ob"
		{"Faisal Al-Shehri", []string{"alshehri"}, "Faisal [Al-Shehri]"},
		{"Ana Banana", []string{"ana"}, "[Ana] B[anana]"},
		{"Plain Name", nil, "Plain Name"},
		{"Plain Name", []string{"zzz"}, "Plain Name"},
	} {
		if got := render(HighlightName(tc.name, tc.terms)); got != tc.want {
			t.Errorf("HighlightName(%q, %q) = %q, want %q", tc.name, tc.terms, got, tc.want)
		}
	}
}

func TestHighlightPrefix(t *testing.T) {
	for _, tc := range []struct{ s, prefix, want string }{
		{"jose@example.com", "JOSE@", "[jose@]example.com"},
		{"jose@example.com", "jose@example.com", "[jose@example.com]"},
		{"jose@example.com", "anna", "jose@example.com"},
		{"short", "longer than s", "short"},
	} {
		if got := render(HighlightPrefix(tc.s, tc.prefix)); got != tc.want {
			t.Errorf("HighlightPrefix(%q, %q) = %q, want %q", tc.s, tc.prefix, got, tc.want)
		}
	}
}
