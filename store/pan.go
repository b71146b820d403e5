package store

import (
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// PANLength is the length of every card number the sandbox issues.
const PANLength = 16

// BINLength is the length of a bank identification number, the fixed
// first digits of a card number.
const BINLength = 6

// LuhnValid reports whether pan is all ASCII digits, at least two of them,
// and passes the Luhn (mod 10) check.
func LuhnValid(pan string) bool {
	if len(pan) < 2 {
		return false
	}
	sum, ok := luhnSum(pan, false)
	return ok && sum%10 == 0
}

// luhnSum adds the digits of s the Luhn way, doubling every second digit
// from the right, starting with the rightmost one when doubleLast is set. It
// reports false if s holds anything but ASCII digits.
func luhnSum(s string, doubleLast bool) (int, bool) {
	sum := 0
	double := doubleLast
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i]) - '0'
		if d < 0 || d > 9 {
			return 0, false
		}
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum, true
}

// luhnCheckDigit returns the digit that, appended to payload (all digits),
// makes a Luhn-valid number.
func luhnCheckDigit(payload string) byte {
	sum, _ := luhnSum(payload, true)
	return byte('0' + (10-sum%10)%10)
}

// ValidBIN reports whether bin is a BINLength-digit bank identification
// number.
func ValidBIN(bin string) bool {
	if len(bin) != BINLength {
		return false
	}
	for i := 0; i < len(bin); i++ {
		if bin[i] < '0' || bin[i] > '9' {
			return false
		}
	}
	return true
}

// NewPAN returns a PANLength-digit, Luhn-valid card number that starts with
// bin: bin, then the n = PANLength-BINLength-1 account digits that digits(n)
// returns, then the check digit. It panics if bin is not a valid BIN or
// digits does not return n ASCII digits, both programming errors; RandomPAN
// and SeededPAN are the usual callers.
func NewPAN(bin string, digits func(n int) string) string {
	if !ValidBIN(bin) {
		panic(fmt.Sprintf("store: NewPAN: BIN %q is not %d digits", bin, BINLength))
	}
	n := PANLength - BINLength - 1
	acct := digits(n)
	if len(acct) != n {
		panic(fmt.Sprintf("store: NewPAN: got %d account digits, want %d", len(acct), n))
	}
	var b [PANLength]byte
	copy(b[:], bin)
	copy(b[BINLength:], acct)
	for _, c := range b[:PANLength-1] {
		if c < '0' || c > '9' {
			panic("store: NewPAN: account digits are not all digits")
		}
	}
	b[PANLength-1] = luhnCheckDigit(string(b[:PANLength-1]))
	return string(b[:])
}

// RandomPAN returns a new card number on bin whose account digits come from
// crypto/rand, for a real reissue. The caller must still treat a clash with a
// number issued before (the UNIQUE pan_hash) as possible, if unlikely.
func RandomPAN(bin string) (string, error) {
	if !ValidBIN(bin) {
		return "", fmt.Errorf("store: random PAN: BIN %q is not %d digits", bin, BINLength)
	}
	return NewPAN(bin, func(n int) string {
		return randomDigits(n, func() uint64 {
			var b [8]byte
			cryptorand.Read(b[:]) // never returns an error (Go 1.24+)
			return binary.LittleEndian.Uint64(b[:])
		})
	}), nil
}

// SeededPAN returns a card number on bin whose account digits come from r,
// so a seeded generator makes the same numbers every run. It panics if bin is
// not a valid BIN.
func SeededPAN(bin string, r *rand.Rand) string {
	return NewPAN(bin, func(n int) string { return randomDigits(n, r.Uint64) })
}

// randomDigits returns n uniformly random ASCII digits drawn from next,
// rejecting the values that would bias them.
func randomDigits(n int, next func() uint64) string {
	const limit = 18446744073709551610 // largest multiple of 10 below 2^64
	b := make([]byte, n)
	for i := range b {
		v := next()
		for v >= limit {
			v = next()
		}
		b[i] = byte('0' + v%10)
	}
	return string(b)
}

// HashPAN returns HMAC-SHA256(key, pan), the only form in which the store
// keeps a full card number (card_numbers.pan_hash), so a number can be checked
// for uniqueness without being readable. key is the store's PANKey, which
// is kept outside the database.
func HashPAN(key []byte, pan string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(pan))
	return m.Sum(nil)
}
