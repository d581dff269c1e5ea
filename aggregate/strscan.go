package aggregate

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// Byte-parallel tests on 8 bytes at a time.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skipPlain advances i over bytes that need no attention in a string, 8 at
// a time, and returns the index of the first byte that does (or a point
// less than 8 bytes from the end). The lowest flagged byte is exact: the
// borrows that cause false flags only travel upwards from a true one.
func skipPlain(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		quote := x ^ (lows * '"')
		slash := x ^ (lows * '\\')
		special := ((x - lows*0x20) | (quote-lows)&^quote | (slash-lows)&^slash | x) & highs
		if special != 0 {
			return i + bits.TrailingZeros64(special)>>3
		}
	}
	return i
}

// repairUTF8 appends b to dst with every byte that is not part of a valid
// UTF-8 sequence replaced by the escape \ufffd. b must have passed
// [check], so such bytes can only be inside strings. As each such byte
// grows six times, it stops and returns false once the repaired form is
// longer than limit bytes.
func repairUTF8(dst, b []byte, limit int64) ([]byte, bool) {
	start := len(dst)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			if int64(len(dst)-start+len(b)-i+5) > limit {
				return dst, false
			}
			dst = append(dst, `\ufffd`...)
			i++
			continue
		}
		dst = append(dst, b[i:i+n]...)
		i += n
	}
	return dst, true
}
