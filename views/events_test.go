package views

import (
	"strings"
	"testing"
)

// A body nested deeper than a notification may be, or a large one, is shown
// as it came: indenting it costs the square of its depth (a 40 KB body
// nested 9,990 deep made a 200 MB page).
func TestPrettyJSONBounded(t *testing.T) {
	deep := `{"a":` + strings.Repeat("[", 9990) + strings.Repeat("]", 9990) + `}`
	if got := PrettyJSON([]byte(deep)); got != deep {
		t.Errorf("a body nested 9,991 deep came out as %d bytes, want the %d it came as", len(got), len(deep))
	}
	large := `{"a":"` + strings.Repeat("x", prettyJSONMax) + `"}`
	if got := PrettyJSON([]byte(large)); got != large {
		t.Errorf("a large body was reformatted")
	}
	if got := PrettyJSON([]byte(`{"a":[1]}`)); got != "{\n  \"a\": [\n    1\n  ]\n}" {
		t.Errorf("PrettyJSON = %q, want it indented", got)
	}
}
