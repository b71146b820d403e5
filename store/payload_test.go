package store

import "testing"

func TestPayloadValues(t *testing.T) {
	for _, tt := range []struct{ body, want string }{
		{`{"operation":"CARDS","data":{"card_id":"c-1","amount":12.5,"ok":true,"none":null}}`, "CARDS\nc-1\n12.5\ntrue\nnull\n"},
		{`{"m":"Caf\u00e9 \"Zürich\"","list":["a b", 3]}`, "Caf\\u00e9 \\\"Zürich\\\"\na b\n3\n"},
		{`{ "spaced" : "key" , "n" : -1e3 }`, "key\n-1e3\n"},
		{`not json: at all`, "not\njson\nat\nall\n"},
		{`{"cut":"unterminated`, "unterminated\n"},
		{``, ""},
	} {
		if got := PayloadValues([]byte(tt.body)); got != tt.want {
			t.Errorf("PayloadValues(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
