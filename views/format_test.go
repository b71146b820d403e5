package views

import (
	"math"
	"testing"
)

func TestFormatCents(t *testing.T) {
	for _, tc := range []struct {
		cents    int64
		currency string
		want     string
	}{
		{0, "USD", "0.00 USD"},
		{5, "USD", "0.05 USD"},
		{-5, "USD", "-0.05 USD"},
		{100, "", "1.00"},
		{99_999, "EUR", "999.99 EUR"},
		{100_000, "USD", "1,000.00 USD"},
		{-123_456_789, "USD", "-1,234,567.89 USD"},
		{123_456_789_012, "", "1,234,567,890.12"},
		{math.MinInt64, "", "-92,233,720,368,547,758.08"},
	} {
		if got := FormatCents(tc.cents, tc.currency); got != tc.want {
			t.Errorf("FormatCents(%d, %q) = %q, want %q", tc.cents, tc.currency, got, tc.want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 12_345: "12,345",
		1_234_567: "1,234,567", -123: "-123", -1234: "-1,234"} {
		if got := FormatCount(n); got != want {
			t.Errorf("FormatCount(%d) = %q, want %q", n, got, want)
		}
	}
}
