package store

import (
	"database/sql/driver"
	"fmt"

	"modernc.org/sqlite"
)

// PayloadValues returns the values of a JSON payload as sent (the raw text
// of each string, without its quotes, and of each number or literal), one a
// line, leaving out keys and punctuation. The event log's text index holds
// these, so text in the payload is found inside one value. A body that is
// not JSON gives its runs of text between JSON punctuation.
func PayloadValues(body []byte) string {
	out := make([]byte, 0, len(body)/3)
	n := len(body)
	for i := 0; i < n; {
		switch c := body[i]; c {
		case '"':
			j := i + 1
			for j < n && body[j] != '"' {
				if body[j] == '\\' {
					j++
				}
				j++
			}
			s := body[i+1 : min(j, n)]
			k := j + 1
			for k < n && isJSONSpace(body[k]) {
				k++
			}
			if k >= n || body[k] != ':' {
				out = append(append(out, s...), '\n')
			}
			i = j + 1
		case '{', '}', '[', ']', ':', ',', ' ', '\t', '\r', '\n':
			i++
		default:
			j := i
			for j < n && !isJSONPunct(body[j]) {
				j++
			}
			out = append(append(out, body[i:j]...), '\n')
			i = j
		}
	}
	return string(out)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isJSONPunct(c byte) bool {
	switch c {
	case '"', '{', '}', '[', ']', ':', ',', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// The migration that builds the text index (0017) and retention call
// PayloadValues from SQL.
func init() {
	err := sqlite.RegisterDeterministicScalarFunction("cardops_payload_values", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return PayloadValues([]byte(v)), nil
			case []byte:
				return PayloadValues(v), nil
			case nil:
				return "", nil
			default:
				return nil, fmt.Errorf("cardops_payload_values: %T", v)
			}
		})
	if err != nil {
		panic(err)
	}
	// Events asks it of the events the text index does not hold yet: what
	// the index would have answered for them (see hasTrigrams).
	err = sqlite.RegisterDeterministicScalarFunction("cardops_payload_has_trigrams", 2,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			q, _ := args[1].(string)
			switch v := args[0].(type) {
			case string:
				return hasTrigrams(PayloadValues([]byte(v)), q), nil
			case []byte:
				return hasTrigrams(PayloadValues(v), q), nil
			case nil:
				return false, nil
			default:
				return nil, fmt.Errorf("cardops_payload_has_trigrams: %T", v)
			}
		})
	if err != nil {
		panic(err)
	}
}
