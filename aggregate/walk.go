package aggregate

import (
	"unicode/utf16"
	"unicode/utf8"
)

// The functions in this file walk JSON that [check] accepted, so they do
// not validate it again.

// skipValue returns the index just after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default:
		for i < len(b) {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
			i++
		}
		return i
	}
}

// skipString returns the index after the string whose opening quote is at
// b[i].
func skipString(b []byte, i int) int {
	i++
	for i < len(b) {
		i = skipPlain(b, i)
		for i < len(b) && b[i] != '"' && b[i] != '\\' {
			i++
		}
		if i >= len(b) {
			return i
		}
		if b[i] == '"' {
			return i + 1
		}
		i += 2
	}
	return i
}

// trimValue returns the single value of b without surrounding whitespace.
func trimValue(b []byte) []byte {
	i := skipWS(b, 0)
	j := len(b)
	for j > i {
		switch b[j-1] {
		case ' ', '\t', '\n', '\r':
			j--
			continue
		}
		break
	}
	return b[i:j]
}

// member is one member of an object: its raw key (between the quotes,
// still escaped) and the bounds of its value.
type member struct {
	key     []byte
	quoted  []byte // the key with its quotes
	escaped bool
	val     []byte
}

// nextMember reads the member starting at b[i] (at a key's quote, or at
// the closing brace) and returns the index of the next one. ok is false at
// the end of the object.
func nextMember(b []byte, i int) (m member, next int, ok bool) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] != '"' {
		return m, i, false
	}
	end := skipString(b, i)
	m.quoted = b[i:end]
	m.key = b[i+1 : end-1]
	for _, c := range m.key {
		if c == '\\' {
			m.escaped = true
			break
		}
	}
	i = skipWS(b, end) + 1 // ':'
	i = skipWS(b, i)
	vend := skipValue(b, i)
	m.val = b[i:vend]
	i = skipWS(b, vend)
	if i < len(b) && b[i] == ',' {
		i++
	}
	return m, i, true
}

// nextElement reads the array element starting at b[i] (or the closing
// bracket) and returns the index of the next one.
func nextElement(b []byte, i int) (val []byte, next int, ok bool) {
	i = skipWS(b, i)
	if i >= len(b) || b[i] == ']' {
		return nil, i, false
	}
	end := skipValue(b, i)
	val = b[i:end]
	i = skipWS(b, end)
	if i < len(b) && b[i] == ',' {
		i++
	}
	return val, i, true
}

// keyIs reports whether the member's key, decoded, is name.
func (m *member) keyIs(name string) bool {
	if !m.escaped {
		return string(m.key) == name
	}
	var stack [64]byte
	return string(unescape(stack[:0], m.key)) == name
}

// decodedKey returns the member's key decoded, using buf for storage.
func (m *member) decodedKey(buf []byte) []byte {
	if !m.escaped {
		return m.key
	}
	return unescape(buf[:0], m.key)
}

// unescape appends the decoded form of the string content s (without its
// quotes) to dst. Lone surrogates become U+FFFD.
func unescape(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			dst = append(dst, c)
			continue
		}
		i++
		switch s[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			if i+4 >= len(s) {
				return dst
			}
			r := rune(hex4(s[i+1 : i+5]))
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					r2 = rune(hex4(s[i+3 : i+7]))
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, s[i])
		}
	}
	return dst
}

func hex4(b []byte) uint16 {
	var v uint16
	for _, c := range b[:4] {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= uint16(c - '0')
		case c >= 'a' && c <= 'f':
			v |= uint16(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			v |= uint16(c - 'A' + 10)
		}
	}
	return v
}

// find returns the value at path inside the JSON value b: object members by
// name and array elements by decimal index.
func find(b []byte, path []string) ([]byte, bool) {
	for _, seg := range path {
		if len(b) == 0 {
			return nil, false
		}
		switch b[0] {
		case '{':
			found := false
			for m, i, ok := nextMember(b, 1); ok; m, i, ok = nextMember(b, i) {
				if m.keyIs(seg) {
					b, found = m.val, true
					break
				}
			}
			if !found {
				return nil, false
			}
		case '[':
			n, ok := index(seg)
			if !ok {
				return nil, false
			}
			found := false
			for v, i, ok := nextElement(b, 1); ok; v, i, ok = nextElement(b, i) {
				if n == 0 {
					b, found = v, true
					break
				}
				n--
			}
			if !found {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return b, true
}

// index parses a decimal array index.
func index(s string) (int, bool) {
	if s == "" || len(s) > 9 || len(s) > 1 && s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}
