// Formatting: how times, amounts, counts, card numbers and HTTP statuses
// read on every page.

package views

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// FormatTime shows a time in UTC to the second, as support staff quote it.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// FormatMillis shows a Unix-milliseconds time like FormatTime.
func FormatMillis(ms int64) string {
	if ms == 0 {
		return "—"
	}
	return FormatTime(time.UnixMilli(ms))
}

// FormatHours words a span in whole hours, rounded down: "1 hour", "24 hours".
func FormatHours(d time.Duration) string {
	h := int(d / time.Hour)
	if h == 1 {
		return "1 hour"
	}
	return strconv.Itoa(h) + " hours"
}

// FormatCents shows an amount of integer cents with its currency, e.g. "1,234.56 USD".
// (Built with strconv, not fmt: a busy card's page shows a thousand amounts.)
func FormatCents(cents int64, currency string) string {
	var buf [48]byte
	b := buf[:0]
	u := uint64(cents)
	if cents < 0 {
		b, u = append(b, '-'), -u
	}
	b = appendGrouped(b, u/100)
	b = append(b, '.', byte('0'+u%100/10), byte('0'+u%10))
	if currency != "" {
		b = append(append(b, ' '), currency...)
	}
	return string(b)
}

// MaskedPAN shows a card number the only way the console ever shows one.
func MaskedPAN(last4 string) string {
	return "•••• •••• •••• " + last4
}

func statusText(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

// FormatCount shows a count with thousands separators: 12,345.
func FormatCount(n int) string {
	var buf [32]byte
	b := buf[:0]
	u := uint64(n)
	if n < 0 {
		b, u = append(b, '-'), -u
	}
	return string(appendGrouped(b, u))
}

// appendGrouped appends u with a comma between each group of three digits.
func appendGrouped(b []byte, u uint64) []byte {
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], u, 10)
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, c)
	}
	return b
}

// urlQuery escapes a value for a URL's query.
func urlQuery(s string) string { return url.QueryEscape(s) }
