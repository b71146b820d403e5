package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseEnvelope(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Envelope
	}{
		{
			name: "authorization",
			body: `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"op-1","status":"PENDING",
				"data":{"card_id":"c-1","bill_amount":12.5,"merchant_data":{"name":"Shop"}}}`,
			want: Envelope{Operation: "CARDS", SubOperation: "AUTHORIZATION", OperationID: "op-1",
				Status: "PENDING", StatusRaw: "PENDING",
				Data:   json.RawMessage(`{"card_id":"c-1","bill_amount":12.5,"merchant_data":{"name":"Shop"}}`),
				CardID: "c-1"},
		},
		{
			name: "withdraw failed with reason and wallet",
			body: `{"operation":"VIRTUAL_WALLETS","sub_operation":"WITHDRAW","operation_id":"op-2","status":"FAILED","reason":"insufficient funds","data":{"wallet_id":"w-9"}}`,
			want: Envelope{Operation: "VIRTUAL_WALLETS", SubOperation: "WITHDRAW", OperationID: "op-2",
				Status: "FAILED", StatusRaw: "FAILED", Reason: "insufficient funds",
				Data: json.RawMessage(`{"wallet_id":"w-9"}`), WalletID: "w-9"},
		},
		{
			name: "docs' product and event_type keys",
			body: `{"product":"CARDS","event_type":"DECLINED","operation_id":"op-3","status":"SUCCESS","client_id":"x"}`,
			want: Envelope{Operation: "CARDS", SubOperation: "DECLINED", OperationID: "op-3", Status: "SUCCESS", StatusRaw: "SUCCESS"},
		},
		{
			name: "operation wins over product",
			body: `{"operation":"CARDS","product":"TREASURY","sub_operation":"DEPOSIT","event_type":"X","operation_id":"op-4"}`,
			want: Envelope{Operation: "CARDS", SubOperation: "DEPOSIT", OperationID: "op-4"},
		},
		{
			name: "empty operation falls back to product",
			body: `{"operation":"","product":"TREASURY","operation_id":"op-5"}`,
			want: Envelope{Operation: "TREASURY", OperationID: "op-5"},
		},
		{
			name: "no sub_operation, no status, no data",
			body: `{"operation":"CARDS","operation_id":"op-6"}`,
			want: Envelope{Operation: "CARDS", OperationID: "op-6"},
		},
		{
			name: "unknown operation is kept",
			body: `{"operation":"LOYALTY","sub_operation":"POINTS","operation_id":"op-7","status":"time_cancelled"}`,
			want: Envelope{Operation: "LOYALTY", SubOperation: "POINTS", OperationID: "op-7", Status: "TIME_CANCELLED", StatusRaw: "time_cancelled"},
		},
		{
			name: "null data and null fields read as absent",
			body: `{"operation":"CARDS","sub_operation":null,"operation_id":"op-8","status":null,"reason":null,"data":null}`,
			want: Envelope{Operation: "CARDS", OperationID: "op-8"},
		},
		{
			name: "numeric operation_id kept as written",
			body: `{"operation":"CARDS","operation_id":12345678901234567890}`,
			want: Envelope{Operation: "CARDS", OperationID: "12345678901234567890"},
		},
		{
			name: "ids of other types are left out",
			body: `{"operation":"CARDS","operation_id":"op-9","data":{"card_id":7,"wallet_id":{"id":"w"}}}`,
			want: Envelope{Operation: "CARDS", OperationID: "op-9", Data: json.RawMessage(`{"card_id":7,"wallet_id":{"id":"w"}}`)},
		},
		{
			name: "surrounding white space, byte-order mark and trimmed names",
			body: "\uFEFF \n {\"operation\":\" CARDS \",\"operation_id\":\" op-10 \",\"status\":\" success \"} \n",
			want: Envelope{Operation: "CARDS", OperationID: "op-10", Status: "SUCCESS", StatusRaw: " success "},
		},
		{
			name: "escaped unicode in strings",
			body: `{"operation":"CARDS","operation_id":"op-\u00e9","reason":"caf\u00e9 \ud83d\ude00"}`,
			want: Envelope{Operation: "CARDS", OperationID: "op-é", Reason: "café 😀"},
		},
		{
			name: "the same key at different levels, braces and quotes inside strings",
			body: `{"operation":"CARDS","operation_id":"op-11","reason":"a \"}{, b","data":{"operation":"X","card_id":"c-1",` +
				`"merchant":{"card_id":"c-2","name":"n","NAME":"m"},"list":[{"a":1},{"a":2}]}}`,
			want: Envelope{Operation: "CARDS", OperationID: "op-11", Reason: `a "}{, b`, CardID: "c-1",
				Data: json.RawMessage(`{"operation":"X","card_id":"c-1","merchant":{"card_id":"c-2","name":"n","NAME":"m"},"list":[{"a":1},{"a":2}]}`)},
		},
		{
			name: "many distinct keys in data",
			body: `{"operation":"CARDS","operation_id":"op-12","data":{` + manyKeys(300) + `}}`,
			want: Envelope{Operation: "CARDS", OperationID: "op-12", Data: json.RawMessage(`{` + manyKeys(300) + `}`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEnvelope([]byte(tt.body))
			if err != nil {
				t.Fatalf("want no error, got %v", err)
			}
			if !equalEnvelope(got, tt.want) {
				t.Errorf("want %+v (data %s), got %+v (data %s)", tt.want, tt.want.Data, got, got.Data)
			}
		})
	}
}

// manyKeys returns n distinct members "k0":0, "k1":1, ….
func manyKeys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	return b.String()
}

func equalEnvelope(a, b Envelope) bool {
	return a.Operation == b.Operation && a.SubOperation == b.SubOperation && a.OperationID == b.OperationID &&
		a.Status == b.Status && a.StatusRaw == b.StatusRaw && a.Reason == b.Reason &&
		string(a.Data) == string(b.Data) && a.CardID == b.CardID && a.WalletID == b.WalletID
}

func TestParseEnvelopeErrors(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantErr  *EnvelopeError
		wantText string // part of the message
	}{
		{"invalid UTF-8", "{\"operation\":\"CARDS\xff\",\"operation_id\":\"x\"}", ErrInvalidUTF8, "UTF-8"},
		{"truncated UTF-8", "{\"operation\":\"\xe2\x82\"}", ErrInvalidUTF8, "UTF-8"},
		{"empty body", "", ErrInvalidJSON, "empty"},
		{"only white space", " \n\t", ErrInvalidJSON, "empty"},
		{"not JSON", "operation=CARDS", ErrInvalidJSON, "invalid character"},
		{"nested too deep", `{"operation":"CARDS","operation_id":"x","data":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`,
			ErrTooDeep, "nests 42 levels deep, more than 32"},
		{"truncated JSON", `{"operation":"CARDS"`, ErrInvalidJSON, "end of input"},
		{"trailing comma", `{"operation":"CARDS",}`, ErrInvalidJSON, "not valid JSON"},
		{"trailing garbage", `{"operation":"CARDS","operation_id":"x"} garbage`, ErrInvalidJSON, "after the top-level"},
		{"two objects", `{"operation":"CARDS","operation_id":"x"}{"operation":"CARDS","operation_id":"y"}`, ErrInvalidJSON, "after the top-level"},
		{"trailing brace", `{"operation":"CARDS","operation_id":"x"}}`, ErrInvalidJSON, "after the top-level"},
		{"array", `[{"operation":"CARDS","operation_id":"x"}]`, ErrNotAnObject, "array"},
		{"string", `"CARDS"`, ErrNotAnObject, "string"},
		{"number", `42`, ErrNotAnObject, "number"},
		{"null", `null`, ErrNotAnObject, "null"},
		{"boolean", `true`, ErrNotAnObject, "boolean"},
		{"missing operation", `{"sub_operation":"AUTHORIZATION","operation_id":"x"}`, ErrMissingOperation, "operation"},
		{"empty operation", `{"operation":"","operation_id":"x"}`, ErrMissingOperation, "operation"},
		{"blank operation", `{"operation":"  ","operation_id":"x"}`, ErrMissingOperation, "operation"},
		{"null operation", `{"operation":null,"operation_id":"x"}`, ErrMissingOperation, "operation"},
		{"operation not a string", `{"operation":5,"operation_id":"x"}`, ErrInvalidField, "operation is a JSON number"},
		{"sub_operation not a string", `{"operation":"CARDS","sub_operation":["A"],"operation_id":"x"}`, ErrInvalidField, "sub_operation is a JSON array"},
		{"missing operation_id", `{"operation":"CARDS"}`, ErrMissingOperationID, "operation_id"},
		{"empty operation_id", `{"operation":"CARDS","operation_id":""}`, ErrMissingOperationID, "operation_id"},
		{"operation_id an object", `{"operation":"CARDS","operation_id":{}}`, ErrInvalidField, "operation_id is a JSON object"},
		{"status not a string", `{"operation":"CARDS","operation_id":"x","status":1}`, ErrInvalidField, "status"},
		{"reason not a string", `{"operation":"CARDS","operation_id":"x","reason":false}`, ErrInvalidField, "reason"},
		{"data an array", `{"operation":"CARDS","operation_id":"x","data":[1,2]}`, ErrInvalidData, "data is a JSON array"},
		{"data a string", `{"operation":"CARDS","operation_id":"x","data":"{}"}`, ErrInvalidData, "data is a JSON string"},
		{"data a number", `{"operation":"CARDS","operation_id":"x","data":0}`, ErrInvalidData, "data is a JSON number"},
		{"operation twice", `{"operation":"CARDS","operation":"TREASURY","operation_id":"x"}`, ErrDuplicateKey, `key "operation" appears twice`},
		{"operation in another case after it", `{"operation":"CARDS","OPERATION":"TREASURY","operation_id":"x"}`, ErrDuplicateKey,
			`keys "operation" and "OPERATION" name the same field`},
		{"a key spelt with an escape", `{"operation":"CARDS","operati\u006fn":"TREASURY","operation_id":"x"}`, ErrDuplicateKey, "appears twice"},
		{"status twice, with spaces", `{ "status" : "SUCCESS" , "operation":"CARDS","operation_id":"x", "Status":"FAILED" }`, ErrDuplicateKey, "Status"},
		{"card_id twice in data", `{"operation":"CARDS","operation_id":"x","data":{"card_id":"a","Card_Id":"b"}}`, ErrDuplicateKey, "in data"},
		{"the Kelvin sign folds to k", `{"operation":"CARDS","operation_id":"x","data":{"k":1,"\u212a":2}}`, ErrDuplicateKey, "in data"},
		{"a repeat after many keys", `{"operation":"CARDS","operation_id":"x","data":{` + manyKeys(100) + `,"K50":0}}`, ErrDuplicateKey, `"k50" and "K50"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := ParseEnvelope([]byte(tt.body))
			if err == nil {
				t.Fatalf("want error %s, got none (%+v)", tt.wantErr.Code, env)
			}
			var ee *EnvelopeError
			if !errors.As(err, &ee) {
				t.Fatalf("want an *EnvelopeError, got %T: %v", err, err)
			}
			if ee.Code != tt.wantErr.Code {
				t.Errorf("want code %s, got %s (%v)", tt.wantErr.Code, ee.Code, err)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("want errors.Is(err, %s) true, got false", tt.wantErr.Code)
			}
			if !strings.Contains(ee.Message, tt.wantText) {
				t.Errorf("want message containing %q, got %q", tt.wantText, ee.Message)
			}
			if !utf8.ValidString(ee.Message) {
				t.Errorf("want a UTF-8 message, got %q", ee.Message)
			}
			if !equalEnvelope(env, Envelope{}) {
				t.Errorf("want a zero Envelope with the error, got %+v", env)
			}
		})
	}
}

func TestEnvelopeErrorIsDistinguishesCodes(t *testing.T) {
	_, err := ParseEnvelope([]byte(`{"operation":"CARDS"}`))
	if errors.Is(err, ErrMissingOperation) {
		t.Errorf("want missing operation_id not to match ErrMissingOperation, got a match")
	}
	if !errors.Is(err, ErrMissingOperationID) {
		t.Errorf("want a match for ErrMissingOperationID, got %v", err)
	}
	if got := err.Error(); got != "webhook: missing operation_id" {
		t.Errorf("want %q, got %q", "webhook: missing operation_id", got)
	}
}

func TestStatusMapping(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"SUCCESS", StatusSuccess},
		{"success", StatusSuccess},
		{"Success", StatusSuccess},
		{"FINISHED", StatusSuccess},
		{"finished", StatusSuccess},
		{"PENDING", StatusPending},
		{"pending", StatusPending},
		{"CANCELLED", StatusCancelled},
		{"CANCELED", StatusCancelled},
		{"canceled", StatusCancelled},
		{"cancelled", StatusCancelled},
		{"FAILED", StatusFailed},
		{"failed", StatusFailed},
		{" failed\n", StatusFailed},
		{"time_cancelled", "TIME_CANCELLED"},
		{"Weird", "WEIRD"},
		{"", ""},
	}
	for _, tt := range tests {
		body, _ := json.Marshal(map[string]string{"operation": "CARDS", "operation_id": "x", "status": tt.raw})
		env, err := ParseEnvelope(body)
		if err != nil {
			t.Fatalf("status %q: want no error, got %v", tt.raw, err)
		}
		if env.Status != tt.want || env.StatusRaw != tt.raw {
			t.Errorf("status %q: want Status %q StatusRaw %q, got %q %q", tt.raw, tt.want, tt.raw, env.Status, env.StatusRaw)
		}
		if got := NormalizeStatus(tt.raw); got != tt.want {
			t.Errorf("NormalizeStatus(%q): want %q, got %q", tt.raw, tt.want, got)
		}
	}
}

func TestParseEnvelopeDataIsACopy(t *testing.T) {
	body := []byte(`{"operation":"CARDS","operation_id":"x","data":{"card_id":"c"}}`)
	env, err := ParseEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = ' '
	}
	if want := `{"card_id":"c"}`; string(env.Data) != want {
		t.Errorf("want Data %s to survive reuse of the body buffer, got %s", want, env.Data)
	}
}

func FuzzParseEnvelope(f *testing.F) {
	for _, s := range []string{
		`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"op-1","status":"PENDING","data":{"card_id":"c-1"}}`,
		`{"product":"TREASURY","event_type":"DEPOSIT","operation_id":1,"status":"finished","data":{"wallet_id":"w"}}`,
		`{"operation":"CARDS","operation_id":"x","data":[1]}`,
		`[]`, `null`, `"x"`, ``, "\uFEFF{}", "{\"operation\":\"\xff\"}", `{"a":1} {}`,
		`{"operation":"CARDS","operation_id":"x","data":{"card_id":"\ud800"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := ParseEnvelope(body)
		if err != nil {
			var ee *EnvelopeError
			if !errors.As(err, &ee) || ee.Code == "" || ee.Message == "" {
				t.Fatalf("want an *EnvelopeError with code and message, got %#v", err)
			}
			return
		}
		if env.Operation == "" || env.OperationID == "" {
			t.Fatalf("want operation and operation_id on success, got %+v", env)
		}
		if env.Status != NormalizeStatus(env.StatusRaw) {
			t.Fatalf("want Status %q from %q, got %q", NormalizeStatus(env.StatusRaw), env.StatusRaw, env.Status)
		}
		if env.Data != nil {
			var m map[string]any
			if json.Unmarshal(env.Data, &m) != nil {
				t.Fatalf("want Data to be a JSON object, got %s", env.Data)
			}
		}
		if !utf8.Valid(body) {
			t.Fatalf("accepted a body that is not UTF-8: %q", body)
		}
	})
}

// BenchmarkParseEnvelope parses a typical authorization notification, as the
// receiver does for every delivery.
func BenchmarkParseEnvelope(b *testing.B) {
	body := []byte(`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"op-123456","status":"PENDING",` +
		`"data":{"card_id":"3f6c2a9e-1d4b-4c55-9a8e-7b1f0c2d3e4f","bill_amount":12.5,"bill_currency_number":"840",` +
		`"bill_currency_code":"USD","transaction_amount":12.5,"transaction_currency_code":"USD","exchange_rate":1,` +
		`"fees":{"atm_fees":0,"fx_fees":0},"merchant_data":{"id":"m-1","name":"Corner Coffee","city":"Lisbon","post_code":"1100","state":""}}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}
