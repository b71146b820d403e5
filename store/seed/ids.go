package seed

import "math/rand/v2"

const hexDigits = "0123456789abcdef"

// newUUID returns a UUID version 4 string (RFC 9562 layout) drawn from r, so
// a seeded run produces the same identifiers every time.
func newUUID(r *rand.Rand) string {
	return formatUUID(uuidBits(r))
}

// formatUUID writes a UUID's two halves as text, whose order is that of
// (hi, lo).
func formatUUID(hi, lo uint64) string {
	var b [36]byte
	put := func(at int, v uint64, nibbles int) {
		for i := nibbles - 1; i >= 0; i-- {
			b[at+i] = hexDigits[v&0xf]
			v >>= 4
		}
	}
	put(0, hi>>32, 8)
	b[8] = '-'
	put(9, hi>>16, 4)
	b[13] = '-'
	put(14, hi, 4)
	b[18] = '-'
	put(19, lo>>48, 4)
	b[23] = '-'
	put(24, lo, 12)
	return string(b[:])
}

// hexString returns "0x" and n random lower-case hex digits: an EVM address
// (n = 40) or transaction hash (n = 64).
func hexString(r *rand.Rand, n int) string {
	b := make([]byte, 2+n)
	b[0], b[1] = '0', 'x'
	var v uint64
	for i := range n {
		if i%16 == 0 {
			v = r.Uint64()
		}
		b[2+i] = hexDigits[v&0xf]
		v >>= 4
	}
	return string(b)
}

// mix64 is the SplitMix64 finaliser: a bijection on uint64 that spreads
// neighbouring inputs (seed 1 and 2, card 41 and 42) far apart.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Stream separators, so the global stream and the card streams never share
// a PCG state.
const (
	streamCards  = 0x43415244 // "CARD"
	streamGlobal = 0x474c4f42 // "GLOB"
)

// accountSpace is the number of 9-digit account numbers: a 16-digit PAN is a
// 6-digit BIN, 9 account digits and a check digit.
const accountSpace = 1_000_000_000

// slotsPerCard is how many account numbers each card index owns: its current
// number, its former ones, and spares for when two would share a last 4.
const slotsPerCard = 8

// maxCards is the largest card index whose account slots stay inside
// accountSpace; past it numbers could repeat.
const maxCards = accountSpace / slotsPerCard

// accountNumber maps slot (0 <= slot < accountSpace) to a 9-digit account
// number by a fixed keyed permutation: distinct slots always get distinct
// numbers, however many cards have been seeded and with whichever seed, and
// consecutive slots look unrelated. It is a 4-round Feistel network on 30 bits
// with cycle walking back into [0, accountSpace).
func accountNumber(slot uint64) uint64 {
	x := slot
	for {
		x = feistel30(x)
		if x < accountSpace {
			return x
		}
	}
}

func feistel30(x uint64) uint64 {
	const half, mask = 15, 1<<15 - 1
	l, r := x>>half&mask, x&mask
	for round := uint64(0); round < 4; round++ {
		l, r = r, l^(mix64(r^round<<32^0x5eed_ca4d)&mask)
	}
	return l<<half | r
}

// uuidBits draws a version 4 UUID's two halves, version (4) and variant
// (10) set.
func uuidBits(r *rand.Rand) (hi, lo uint64) {
	hi, lo = r.Uint64(), r.Uint64()
	return v4Bits(hi>>16<<12|hi&0xfff, lo)
}

// v4Bits returns the halves of the version 4 UUID whose 60 leading random
// bits are lead (below 1<<60) and whose 62 trailing ones are lo's: the
// version and variant go in between, so the UUIDs' order is that of
// (lead, lo's low 62 bits).
func v4Bits(lead, lo uint64) (uint64, uint64) {
	return lead>>12<<16 | 0x4000 | lead&0xfff, lo&^(0xc000<<48) | 0x8000<<48
}
