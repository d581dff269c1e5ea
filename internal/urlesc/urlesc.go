// Package urlesc holds the percent-encoding rules shared by the path
// templates of the proxy and aggregate packages: which bytes a template's
// literal text may hold unescaped, which bytes of a substituted value are
// left as they are, and how parameter names are spelled.
package urlesc

// Class is a set of bytes, as a bit of [Of].
type Class uint8

// The byte classes.
const (
	// Keep marks bytes left as they are in a substituted path segment: the
	// unreserved characters and the sub-delimiters that neither split a
	// segment nor start path parameters (';') or lists (',').
	Keep Class = 1 << iota
	// QueryKeep marks bytes left as they are in a substituted query value:
	// the unreserved characters only.
	QueryKeep
	// PathLiteral marks bytes allowed unescaped in a template's path
	// segment (RFC 3986 pchar without '%', which starts an escape).
	PathLiteral
	// QueryLiteral marks bytes allowed unescaped in a template's query (RFC
	// 3986 query characters without '%').
	QueryLiteral
)

// classes is the class set of every byte.
var classes = func() (t [256]Class) {
	for c := 0; c < 256; c++ {
		unreserved := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
		var cl Class
		if unreserved {
			cl |= Keep | QueryKeep | PathLiteral | QueryLiteral
		}
		switch c {
		case '$', '&', '+', '=', ':', '@':
			cl |= Keep | PathLiteral | QueryLiteral
		case '!', '\'', '(', ')', '*', ',', ';':
			cl |= PathLiteral | QueryLiteral
		case '/', '?':
			cl |= QueryLiteral
		}
		t[c] = cl
	}
	return t
}()

// In reports whether c belongs to class.
func In(c byte, class Class) bool { return classes[c]&class != 0 }

const upperhex = "0123456789ABCDEF"

// Append appends s to dst, percent-encoding every byte that is not in
// class, and reports whether it encoded any.
func Append[T string | []byte](dst []byte, s T, class Class) ([]byte, bool) {
	escaped := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if classes[c]&class != 0 {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
		escaped = true
	}
	return dst, escaped
}

// IsHex reports whether c is a hexadecimal digit.
func IsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// ValidLiteral reports whether s consists of bytes of class and
// well-formed percent-escapes; otherwise it returns the first offending
// byte ('%' for a malformed escape).
func ValidLiteral(s string, class Class) (bad byte, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !IsHex(s[i+1]) || !IsHex(s[i+2]) {
				return c, false
			}
			i += 2
		case classes[c]&class == 0:
			return c, false
		}
	}
	return 0, true
}

// ValidName reports whether name can be a parameter name in a template
// (":name" or "*name"): non-empty printable ASCII without the bytes that
// template and URL syntax give a meaning to. It accepts every name a
// gateway route can declare in a segment, such as "id" or "user-id".
func ValidName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || c == ':' || c == '*' || c == '/' || c == '?' || c == '#' || c == '&' || c == '%' || c == '=' || c == '{' || c == '}' {
			return false
		}
	}
	return true
}
