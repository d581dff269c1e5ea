package aggregate

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
