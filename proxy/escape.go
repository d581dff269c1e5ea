package proxy

const upperhex = "0123456789ABCDEF"

// Byte classes used when escaping values and validating literals.
const (
	// classKeep marks bytes left as they are in a substituted path segment:
	// the unreserved characters and the sub-delimiters that neither split a
	// segment nor start path parameters (';') or lists (',').
	classKeep = 1 << iota
	// classQueryKeep marks bytes left as they are in a substituted query
	// value: the unreserved characters only.
	classQueryKeep
	// classPathLiteral marks bytes allowed unescaped in a template's path
	// literal (RFC 3986 pchar without '%', which starts an escape).
	classPathLiteral
	// classQueryLiteral marks bytes allowed unescaped in a template's query
	// literal (RFC 3986 query characters without '%').
	classQueryLiteral
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		unreserved := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
		var cl uint8
		if unreserved {
			cl |= classKeep | classQueryKeep | classPathLiteral | classQueryLiteral
		}
		switch c {
		case '$', '&', '+', '=', ':', '@':
			cl |= classKeep | classPathLiteral | classQueryLiteral
		case '!', '\'', '(', ')', '*', ',', ';':
			cl |= classPathLiteral | classQueryLiteral
		case '/', '?':
			cl |= classQueryLiteral
		}
		t[c] = cl
	}
	return t
}()

// appendEscaped appends s to dst, percent-encoding every byte that is not in
// class, and reports whether it encoded any.
func appendEscaped(dst []byte, s string, class uint8) ([]byte, bool) {
	escaped := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if byteClass[c]&class != 0 {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
		escaped = true
	}
	return dst, escaped
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// validLiteral reports whether s consists of bytes of class and
// well-formed percent-escapes, returning the first offending byte otherwise.
func validLiteral(s string, class uint8) (bad byte, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return c, false
			}
			i += 2
		case byteClass[c]&class == 0:
			return c, false
		}
	}
	return 0, true
}
