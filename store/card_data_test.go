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
		// From an attack review: ways of writing a number or a code that
		// were stored in clear.
		{"a number joined to a word", `{"ref":"card_4111111111111111","b":"x4111111111111111y"}`, `{"ref":"card_411111••••••1111","b":"x411111••••••1111y"}`},
		{"a number as a key", `{"data":{"4111111111111111":1}}`, `{"data":{"411111••••••1111":1}}`},
		{"a number with a decimal part or an exponent", `{"a":4111111111111111.0,"b":4.111111111111111e15,"c":12.5}`, `{"a":"411111••••••1111.0","b":"411111••••••1111e15","c":12.5}`},
		{"a code in an array or object", `{"cvv":["987"],"pin":{"v":"1234"},"n":1}`, `{"cvv":"[redacted]","pin":"[redacted]","n":1}`},
		{"codes under other names", `{"card_cvv":"654","cardCvc2":"321","X-Card-PIN":"0000","shipping":"ok"}`, `{"card_cvv":"[redacted]","cardCvc2":"[redacted]","X-Card-PIN":"[redacted]","shipping":"ok"}`},
		{"separators doubled, dots", `{"a":"4111  1111  1111  1111","b":"4111.1111.1111.1111","c":"4111 - 1111 - 1111 - 1111"}`, `{"a":"411111••••••1111","b":"411111••••••1111","c":"411111••••••1111"}`},
		{"a number followed by its expiry", `{"a":"4111 1111 1111 1111 12 27"}`, `{"a":"411111••••••1111 12 27"}`},
		{"hashes, addresses and ids keep their digits", `{"tx":"0x9a41111111111111111a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4","id":"00000000-0000-4000-8000-000000000011","at":1790000060000,"amount":"1200 3400"}`,
			`{"tx":"0x9a41111111111111111a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4","id":"00000000-0000-4000-8000-000000000011","at":1790000060000,"amount":"1200 3400"}`},
		{"a code's name spelled with escapes, or long", `{"\u0063vv":"123","card_security_code_as_printed_on_the_back_of_the_card_in_three_digits":"456"}`, `{"cvv":"[redacted]","card_security_code_as_printed_on_the_back_of_the_card_in_three_digits":"[redacted]"}`},
		{"not JSON: name=value codes", `card=card_4111111111111111&card_cvv=123&note=cvv: 456`, `card=card_411111••••••1111&card_cvv=[redacted]&note=cvv: [redacted]`},
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
		"00000000-0000-4000-8000-000000000011", "12345678901234567890123", "411111111111111111111111",
		"card_", "cvv=", "card_cvv: ", "  ", "4111  1111  1111  1111", "4111111111111111.0", "=", "a", "0x"}
	for range 200_000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		full := MaskCardNumbers(s) != s || redactCardSecretsText(s) != s
		if full && !mayHoldCardData([]byte(s)) {
			t.Fatalf("mayHoldCardData(%q) = false, but the full reading changes it", s)
		}
	}
}
