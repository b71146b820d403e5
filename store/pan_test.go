package store

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLuhnValid(t *testing.T) {
	tests := []struct {
		pan  string
		want bool
	}{
		{"4242424242424242", true},
		{"4111111111111111", true},
		{"4000056655665556", true},
		{"5555555555554444", true},
		{"378282246310005", true},
		{"6011111111111117", true},
		{"79927398713", true},
		{"00", true},
		{"4242424242424241", false},
		{"4111111111111112", false},
		{"79927398710", false},
		{"1234567812345678", false},
		{"", false},
		{"0", false},
		{"4242 4242 4242 4242", false},
		{"424242424242424a", false},
		{"-4242424242424242", false},
	}
	for _, tt := range tests {
		if got := LuhnValid(tt.pan); got != tt.want {
			t.Errorf("LuhnValid(%q) = %v, want %v", tt.pan, got, tt.want)
		}
	}
}

func TestLuhnCheckDigit(t *testing.T) {
	for _, valid := range []string{"4242424242424242", "79927398713", "5555555555554444", "378282246310005"} {
		payload := valid[:len(valid)-1]
		if got := luhnCheckDigit(payload); got != valid[len(valid)-1] {
			t.Errorf("luhnCheckDigit(%q) = %c, want %c", payload, got, valid[len(valid)-1])
		}
	}
}

func checkPAN(t *testing.T, pan, bin string) {
	t.Helper()
	if len(pan) != PANLength {
		t.Fatalf("len(PAN) = %d, want %d", len(pan), PANLength)
	}
	if !strings.HasPrefix(pan, bin) {
		t.Fatalf("PAN starts %q, want BIN %q", pan[:BINLength], bin)
	}
	if !LuhnValid(pan) {
		t.Fatalf("PAN ending %s is not Luhn-valid", pan[len(pan)-4:])
	}
}

func TestNewPAN(t *testing.T) {
	got := NewPAN("424242", func(n int) string {
		if n != 9 {
			t.Fatalf("digits(%d), want digits(9)", n)
		}
		return "424242424"
	})
	if got != "4242424242424242" {
		t.Errorf("NewPAN = %q, want 4242424242424242", got)
	}
}

func TestNewPANPanics(t *testing.T) {
	tests := []struct {
		name, bin, acct string
	}{
		{"short BIN", "42424", "424242424"},
		{"letter in BIN", "42424x", "424242424"},
		{"short account", "424242", "4242"},
		{"letter in account", "424242", "42424242x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPAN(%q, %q) did not panic", tt.bin, tt.acct)
				}
			}()
			NewPAN(tt.bin, func(int) string { return tt.acct })
		})
	}
}

func TestRandomPAN(t *testing.T) {
	for _, bin := range []string{"457173", "424242", "400000"} {
		seen := map[string]bool{}
		for range 500 {
			pan, err := RandomPAN(bin)
			if err != nil {
				t.Fatalf("RandomPAN(%q): %v", bin, err)
			}
			checkPAN(t, pan, bin)
			seen[pan] = true
		}
		if len(seen) < 499 {
			t.Errorf("RandomPAN(%q): %d distinct numbers in 500", bin, len(seen))
		}
	}
	for _, bad := range []string{"", "4242", "4242424", "abcdef"} {
		if _, err := RandomPAN(bad); err == nil {
			t.Errorf("RandomPAN(%q) err = nil, want an error", bad)
		}
	}
}

func TestSeededPAN(t *testing.T) {
	a := rand.New(rand.NewPCG(1, 2))
	b := rand.New(rand.NewPCG(1, 2))
	digitCount := [10]int{}
	for range 2000 {
		pa, pb := SeededPAN("457173", a), SeededPAN("457173", b)
		if pa != pb {
			t.Fatalf("same seed gave different PANs (last4 %s, %s)", pa[12:], pb[12:])
		}
		checkPAN(t, pa, "457173")
		for _, c := range pa[BINLength : PANLength-1] {
			digitCount[c-'0']++
		}
	}
	// 18,000 account digits: each value should turn up about 1,800 times.
	for d, n := range digitCount {
		if n < 1500 || n > 2100 {
			t.Errorf("digit %d appears %d times in 18000, want about 1800", d, n)
		}
	}
}

func TestHashPAN(t *testing.T) {
	// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
	got := HashPAN([]byte("Jefe"), "what do ya want for nothing?")
	want, _ := hex.DecodeString("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
	if !bytes.Equal(got, want) {
		t.Errorf("HashPAN = %x, want %x", got, want)
	}
	k1, k2 := bytes.Repeat([]byte{1}, PANKeySize), bytes.Repeat([]byte{2}, PANKeySize)
	pan := "4571730000000009"
	if bytes.Equal(HashPAN(k1, pan), HashPAN(k2, pan)) {
		t.Error("HashPAN is the same under two keys")
	}
	if !bytes.Equal(HashPAN(k1, pan), HashPAN(k1, pan)) {
		t.Error("HashPAN is not deterministic")
	}
	if bytes.Contains(HashPAN(k1, pan), []byte(pan)) {
		t.Error("HashPAN output contains the PAN")
	}
}
