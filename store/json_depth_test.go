package store

import (
	"strings"
	"testing"
)

func TestJSONDepth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{`1`, 0}, {`{}`, 1}, {`{"a":[1,{"b":[]}]}`, 4}, {`{"a":"[[[{{{"}`, 1}, {`{"a":"\"[[["}`, 1},
		{`[` + strings.Repeat(`[`, 99) + strings.Repeat(`]`, 100), 100},
	} {
		if got := JSONDepth([]byte(tc.in)); got != tc.want {
			t.Errorf("JSONDepth(%.40s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
