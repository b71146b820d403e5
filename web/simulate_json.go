package web

import (
	"bytes"
	"encoding/json"
)

// simPrettyJSON indents a JSON body for the payload editor; a body that does
// not parse is shown as it is.
func simPrettyJSON(body []byte) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		return string(body)
	}
	return buf.String()
}
