package web

import (
	"time"

	"cardops/store"
)

// filterTimeLayouts are the ways a filter's time may be written: a
// datetime-local value (seconds optional, "T" or a space), RFC 3339, a day.
// They are UTC unless they say otherwise.
var filterTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05",
	time.RFC3339, "2006-01-02"}

// parseFilterRange reads a filter's from and to. A to written to the day,
// minute or second means to the end of it. A time that cannot be read is
// left zero and named in bad (store.FieldInvalid); so is a to before from
// (store.FieldNotAllowed).
func parseFilterRange(from, to string) (fromT, toT time.Time, bad store.FieldErrors) {
	bad = store.FieldErrors{}
	if from != "" {
		if t, _, ok := parseFilterTime(from); ok {
			fromT = t
		} else {
			bad["from"] = store.FieldInvalid
		}
	}
	if to != "" {
		if t, layout, ok := parseFilterTime(to); ok {
			toT = t.Add(filterTimeSpan(layout) - time.Millisecond)
		} else {
			bad["to"] = store.FieldInvalid
		}
	}
	if !fromT.IsZero() && !toT.IsZero() && toT.Before(fromT) {
		// Nothing can lie in the range: the end is left out, and said so.
		toT, bad["to"] = time.Time{}, store.FieldNotAllowed
	}
	if len(bad) == 0 {
		bad = nil
	}
	return fromT, toT, bad
}

func parseFilterTime(s string) (time.Time, string, bool) {
	for _, layout := range filterTimeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, layout, true
		}
	}
	return time.Time{}, "", false
}

// filterTimeSpan is how long a time written in layout lasts: a day, a
// minute or a second (RFC 3339 counts as to the second).
func filterTimeSpan(layout string) time.Duration {
	switch layout {
	case "2006-01-02":
		return 24 * time.Hour
	case "2006-01-02T15:04", "2006-01-02 15:04":
		return time.Minute
	}
	return time.Second
}
