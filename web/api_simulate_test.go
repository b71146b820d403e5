package web

import "testing"

// TestPlainDecimal: a JSON number in exponent form reads as the plain
// decimal it is, exactly, and a huge exponent never makes a huge string.
func TestPlainDecimal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"12.34", "12.34"},
		{"1e3", "1000"},
		{"1E3", "1000"},
		{"1e+3", "1000"},
		{"1.5e1", "15"},
		{"1.234e1", "12.34"},
		{"1.2345e1", "12.345"},
		{"1234e-2", "12.34"},
		{"5e-1", "0.5"},
		{"5e-3", "0.005"},
		{"0012.50e0", "12.5"},
		{"0.0015e3", "1.5"},
		{"0e99", "0"},
		{"-1e2", "-100"},
		{"1e11", "100000000000"},
		{"1e13", "1000000000000"}, // past 12 digits: out of bounds either way
		{"1e999999999999999999999", "1000000000000"},
		{"1e-999999999999999999999", "0.0000000000001"},
		{"1e-20", "0.0000000000001"},
		{"-1e40", "-1000000000000"},
	} {
		if got := plainDecimal(tc.in); got != tc.want {
			t.Errorf("plainDecimal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
