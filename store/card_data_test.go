package store

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRedactCardData(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"nothing to hide is kept as sent", `{"a": 1,  "card_id":"00000000-0000-4000-8000-000000000011", "at": 1790000060000}`,
			`{"a": 1,  "card_id":"00000000-0000-4000-8000-000000000011", "at": 1790000060000}`},
		{"numbers and codes in JSON, in order", `{"operation":"CARDS","data":{"card_number":"4111 1111 1111 1111","pan":4000056655665556,"cvv":"123","CVC2":987,"pin":null,"note":"paid with 5555555555554444 today","n":[1,2]}}`,
			`{"operation":"CARDS","data":{"card_number":"411111••••••1111","pan":"400005••••••5556","cvv":"[redacted]","CVC2":"[redacted]","pin":"[redacted]","note":"paid with 555555••••••4444 today","n":[1,2]}}`},
		{"a number spelled with JSON escapes", `{"n":"\u0034111111111111111"}`, `{"n":"411111••••••1111"}`},
		{"an accent escaped, nothing to hide", `{"name":"Jos\u00e9"}`, `{"name":"Jos\u00e9"}`},
		{"not JSON: masked as text", `card=4111111111111111&"cvv": "123"`, `card=411111••••••1111&"cvv": "[redacted]"`},
		{"cut JSON: masked as text", `{"data":{"cvv":"123","pan":"4111111111111111","x":`, `{"data":{"cvv":"[redacted]","pan":"411111••••••1111","x":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(RedactCardData([]byte(tc.in)))
			if got != tc.want {
				t.Errorf("RedactCardData(%s)\n = %s\nwant %s", tc.in, got, tc.want)
			}
			if json.Valid([]byte(tc.in)) && !json.Valid([]byte(got)) {
				t.Errorf("valid JSON came out invalid: %s", got)
			}
		})
	}
}

// The one-pass test never lets through a body the full reading would
// change: random bodies of digit groups, separators, words and field names,
// some of them card numbers.
func TestMayHoldCardDataMissesNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	parts := []string{" ", "-", ".", "_", "x", "\"", ":", ",", "{", "}", `"cvv"`, `"Security_Code"`, `"pin":`, "4", "0",
		"4111111111111111", "4111 1111 1111 1111", "4222222222222", "1790000060000", "5555-5555-5555-4444",
		"00000000-0000-4000-8000-000000000011", "12345678901234567890123", "411111111111111111111111"}
	for range 200_000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		full := MaskCardNumbers(s) != s || cardSecretField.MatchString(s)
		if full && !mayHoldCardData([]byte(s)) {
			t.Fatalf("mayHoldCardData(%q) = false, but the full reading changes it", s)
		}
	}
}
