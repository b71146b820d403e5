package store

// MaxJSONDepth is the deepest nesting of objects and arrays a notification
// body may have. The provider's are three or four deep; a body nested
// thousands deep is small to send but its pretty-printed page grows with
// the square of its depth (a 40 KB body made a 200 MB page).
const MaxJSONDepth = 32

// JSONDepth returns how deep b nests objects and arrays, outside strings,
// in one pass; b need not be valid JSON.
func JSONDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
