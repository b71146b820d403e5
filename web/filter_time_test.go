package web

import (
	"testing"
	"time"

	"cardops/store"
)

// The audit log and the event log read their time filters alike: a to
// written to the day, minute or second runs to the end of it.
func TestParseFilterRange(t *testing.T) {
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		from, to         string
		wantFrom, wantTo time.Time
		bad              store.FieldErrors
	}{
		{from: "2026-12-01T14:30", wantFrom: at("2026-12-01T14:30:00Z")},
		{from: "2026-12-01 14:30:15", wantFrom: at("2026-12-01T14:30:15Z")},
		{to: "2026-12-01T14:30", wantTo: at("2026-12-01T14:30:59.999Z")},
		{to: "2026-12-01 14:30", wantTo: at("2026-12-01T14:30:59.999Z")},
		{to: "2026-12-01T14:30:15", wantTo: at("2026-12-01T14:30:15.999Z")},
		{to: "2026-12-01", wantTo: at("2026-12-01T23:59:59.999Z")},
		{to: "2026-12-01T14:30:15+01:00", wantTo: at("2026-12-01T13:30:15.999Z")},
		{from: "yesterday", to: "14:30", bad: store.FieldErrors{"from": store.FieldInvalid, "to": store.FieldInvalid}},
	} {
		from, to, bad := parseFilterRange(tc.from, tc.to)
		if !from.Equal(tc.wantFrom) || !to.Equal(tc.wantTo) || len(bad) != len(tc.bad) || bad["from"] != tc.bad["from"] || bad["to"] != tc.bad["to"] {
			t.Errorf("parseFilterRange(%q, %q) = %v, %v, %v; want %v, %v, %v", tc.from, tc.to, from, to, bad, tc.wantFrom, tc.wantTo, tc.bad)
		}
	}
}
