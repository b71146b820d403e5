package store

// One reading of "this text holds a card number" serves every place that
// keeps or shows text from outside: event bodies, headers and ids, the API
// request log, audit rows, answers, the server log. Three readings that
// each missed a different way of writing a number (an attack review found
// "card_4111…", "4111  1111…", "4111….0" and numbers used as JSON keys
// stored in clear) are what this replaces.
//
// A written card number is 13 to 19 digits that pass the Luhn check
// (cardNumberDigits), as one run or in groups with up to maxNumberSep
// spaces, tabs, dots, underscores, pluses or dashes between them, whatever
// stands around it: letters and underscores do not hide it. Two kinds of
// text keep their digits, since masking them would corrupt data people
// need and no one reads a card number in them: UUID-shaped ids, and hex
// tokens of 32 characters or more (transaction hashes, addresses, keys).
// Digits inside a longer run of digits are not read as a number either:
// nothing marks where one would start.

// maxNumberSep is how many separator bytes may stand between two groups
// of digits of one written number.
const maxNumberSep = 3

func isNumberSep(c byte) bool {
	switch c {
	case ' ', '\t', '.', '_', '+', '-':
		return true
	}
	return false
}

// minHexToken is the length from which a run of hex characters is read as
// a hash or an address, not as text that could hold a card number.
const minHexToken = 32

// cardNumberSpans calls found with the byte span [a, z) and the digits of
// each card number written in s, left to right, until found returns false.
func cardNumberSpans[T ~string | ~[]byte](s T, found func(a, z int, digits []byte) bool) {
	if len(s) == 36 && isUUIDAt(s, 0) { // most ids: nothing to read
		return
	}
	var startsBuf, endsBuf [24]int
	starts, ends := startsBuf[:0], endsBuf[:0] // the groups of the current run
	var digits [19]byte
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		// A run: groups of digits with up to maxNumberSep separators
		// between them.
		starts, ends = starts[:0], ends[:0]
		j := i
		for {
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			starts, ends = append(starts, j), append(ends, k)
			sep := k
			for sep < len(s) && sep-k < maxNumberSep && isNumberSep(s[sep]) {
				sep++
			}
			j = k
			if sep == k || sep >= len(s) || !isDigit(s[sep]) {
				break
			}
			j = sep
		}
		next, n := j, len(starts)
		// Group-aligned spans of 13 to 19 digits, the longest that is a
		// card number from each group on.
		for g := 0; g < n; {
			best, total := -1, 0
			for h := g; h < n && total+ends[h]-starts[h] <= len(digits); h++ {
				total += ends[h] - starts[h]
				if total < 13 {
					continue
				}
				d := digits[:0]
				for x := g; x <= h; x++ {
					for y := starts[x]; y < ends[x]; y++ {
						d = append(d, s[y])
					}
				}
				if cardNumberDigits(string(d)) {
					best = h
				}
			}
			if best < 0 {
				g++
				continue
			}
			a, z := starts[g], ends[best]
			g = best + 1
			if inHexToken(s, a, z) || inUUID(s, a, z) {
				continue
			}
			d := digits[:0]
			for y := a; y < z; y++ {
				if isDigit(s[y]) {
					d = append(d, s[y])
				}
			}
			if !found(a, z, d) {
				return
			}
		}
		i = next
	}
}

// inHexToken reports whether s[a:z] lies in a run of at least minHexToken
// hex characters that holds a letter.
func inHexToken[T ~string | ~[]byte](s T, a, z int) bool {
	x, y := a, z
	for x > 0 && isHex(s[x-1]) {
		x--
	}
	for y < len(s) && isHex(s[y]) {
		y++
	}
	if y-x < minHexToken {
		return false
	}
	for k := x; k < y; k++ {
		if !isDigit(s[k]) {
			return true
		}
	}
	return false
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// inUUID reports whether s[a:z] overlaps an id in the UUID form (8-4-4-4-12
// hex digits, standing alone): its digits are never a card number, though
// a run of them across its dashes can pass the Luhn check (about one
// random id in ten thousand).
func inUUID[T ~string | ~[]byte](s T, a, z int) bool {
	const n = 36
	for u := max(0, a-n+1); u < z && u+n <= len(s); u++ {
		if isUUIDAt(s, u) {
			return true
		}
	}
	return false
}

func isUUIDAt[T ~string | ~[]byte](s T, u int) bool {
	if u > 0 && isWordChar(s[u-1]) || u+36 < len(s) && isWordChar(s[u+36]) {
		return false
	}
	for i := range 36 {
		c := s[u+i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isWordChar(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'z' || c == '_' }

// hasCardNumber reports whether s holds a written card number.
func hasCardNumber[T ~string | ~[]byte](s T) bool {
	has := false
	cardNumberSpans(s, func(int, int, []byte) bool { has = true; return false })
	return has
}

// replaceCardNumbers replaces each card number written in s by what with
// makes of its digits.
func replaceCardNumbers(s string, with func(digits string) string) string {
	var out []byte
	last := 0
	cardNumberSpans(s, func(a, z int, digits []byte) bool {
		out = append(out, s[last:a]...)
		out = append(out, with(string(digits))...)
		last = z
		return true
	})
	if out == nil {
		return s
	}
	return string(append(out, s[last:]...))
}
