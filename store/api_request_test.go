package store

import "testing"

func TestRedactCardNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/api/cards/virtual-cards/4111111111111111", "/api/cards/virtual-cards/[redacted number]"},
		{"q=4111 1111 1111 1111&x=1", "q=[redacted number]&x=1"},
		{"q=4111-1111-1111-1111", "q=[redacted number]"},
		{"q=4111+1111+1111+1111", "q=[redacted number]"},
		{"q=4111%201111%201111%201111", "q=[redacted number]"},
		{"q=4111111111111112", "q=4111111111111112"}, // fails the Luhn check: not a card number
		{"/cards/11111111-2222-4333-8444-000000000001", "/cards/11111111-2222-4333-8444-000000000001"},
		{"/cards/3f2a9c1e-8d4b-4a6f-9e21-5b7c0d3e8f14", "/cards/3f2a9c1e-8d4b-4a6f-9e21-5b7c0d3e8f14"},
		{"/cards/00000000-0000-4000-8000-000000000011", "/cards/00000000-0000-4000-8000-000000000011"}, // its last 16 digits pass the Luhn check
		{"amount=123456789012", "amount=123456789012"},                                                 // 12 digits
		// However it is written (from an attack review).
		{"card_number=4111%2D1111%2D1111%2D1111", "card_number=[redacted number]"},
		{"n=%34%31%31%31111111111111", "n=[redacted number]"},
		{"n=x4111111111111111", "n=x[redacted number]"},
		{"n=4111.1111.1111.1111&m=4111_1111_1111_1111", "n=[redacted number]&m=[redacted number]"},
		{"/api/cards/virtual-cards/x4111111111111111", "/api/cards/virtual-cards/x[redacted number]"},
		{"/cards/4111  1111  1111  1111", "/cards/[redacted number]"}, // doubled separators
		{"/cards/4111%20%201111%20%201111%20%201111", "/cards/[redacted number]"},
		{"n=card_4111111111111111", "n=card_[redacted number]"},
		{"n=41111111111111110", "n=41111111111111110"}, // 17 digits that fail the Luhn check
		{"at=1790000060000", "at=1790000060000"},       // an epoch-ms time
	} {
		if got := RedactCardNumbers(tc.in); got != tc.want {
			t.Errorf("RedactCardNumbers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := redactQuery("API_KEY=abc&key=k&token=t&page=2&password=p%20w"); got != "API_KEY=[redacted]&key=[redacted]&token=[redacted]&page=2&password=[redacted]" {
		t.Errorf("redactQuery = %q", got)
	}
}

func TestMaskCardNumbers(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"4111111111111111", "411111••••••1111"},
		{"paid 4111 1111 1111 1111 at the kiosk", "paid 411111••••••1111 at the kiosk"},
		{"4111-1111-1111-1111 and 5555555555554444", "411111••••••1111 and 555555••••••4444"},
		{"4111111111111112", "4111111111111112"}, // fails the Luhn check
		{"card 11111111-2222-4333-8444-000000000001", "card 11111111-2222-4333-8444-000000000001"},
		// Ids whose digit runs across dashes pass the Luhn check: kept whole.
		{"00000000-0000-4000-8000-000000000011", "00000000-0000-4000-8000-000000000011"},
		{"card 00000000-0000-4000-8000-000000000011 at 4111111111111111", "card 00000000-0000-4000-8000-000000000011 at 411111••••••1111"},
		{"at 1790000060000 ms", "at 1790000060000 ms"}, // 13 digits that fail the Luhn check
		{"", ""},
	} {
		if got := MaskCardNumbers(tc.in); got != tc.want {
			t.Errorf("MaskCardNumbers(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A body keeps no card number however it is written: JSON escapes,
// underscores, letters stuck to it (from an attack review).
func TestRedactAPIBodyHidesWrittenNumbers(t *testing.T) {
	got := RedactAPIBody([]byte(`{"a":"\u0034111111111111111","b":"4111_1111_1111_1111","c":"a4111111111111111","cvv":"123"}`), APIBodyMax)
	if want := `{"a":"[redacted number]","b":"[redacted number]","c":"a[redacted number]","cvv":"[redacted]"}`; got != want {
		t.Errorf("RedactAPIBody = %s, want %s", got, want)
	}
}
