package aggregate

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
