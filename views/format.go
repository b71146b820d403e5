// Formatting: how times, amounts, counts, card numbers and HTTP statuses
// read on every page.

package views

import (
	"fmt"
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

// FormatCents shows an amount of integer cents with its currency, e.g. "1,234.56 USD".
func FormatCents(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole, frac := cents/100, cents%100
	s := fmt.Sprintf("%d", whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	out := fmt.Sprintf("%s%s.%02d", sign, s, frac)
	if currency != "" {
		out += " " + currency
	}
	return out
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
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// urlQuery escapes a value for a URL's query.
func urlQuery(s string) string { return url.QueryEscape(s) }
