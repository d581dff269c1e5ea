package aggregate

import (
	"errors"
	"unicode/utf8"
)

// Reasons a backend body is refused.
var (
	errSyntax = errors.New("invalid JSON")
	errDepth  = errors.New("JSON nested too deeply")
)

// maxDepthLimit bounds MaxDepth so that the nesting stack fits in a fixed
// array.
const maxDepthLimit = 1024

// strPlain marks the bytes that need no attention inside a JSON string:
// printable ASCII other than '"' and '\\'.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// check reports whether b holds exactly one JSON value (RFC 8259, with
// surrounding whitespace) nested no deeper than maxDepth. badUTF8 reports
// invalid UTF-8 inside strings, which [repairUTF8] replaces; everything
// else that is not JSON is an error.
func check(b []byte, maxDepth int) (badUTF8 bool, err error) {
	var stack [maxDepthLimit]bool // the container at each depth is an object
	depth := 0
	i := skipWS(b, 0)
	for {
		// A value starts at i.
		if i >= len(b) {
			return badUTF8, errSyntax
		}
		switch c := b[i]; c {
		case '{', '[':
			if depth >= maxDepth {
				return badUTF8, errDepth
			}
			obj := c == '{'
			stack[depth] = obj
			depth++
			i = skipWS(b, i+1)
			if i < len(b) && (obj && b[i] == '}' || !obj && b[i] == ']') {
				depth--
				i++
				break
			}
			if obj {
				var bad bool
				if i, bad, err = memberKey(b, i); err != nil {
					return badUTF8, err
				}
				badUTF8 = badUTF8 || bad
			}
			continue
		case '"':
			var bad bool
			if i, bad, err = scanString(b, i); err != nil {
				return badUTF8, err
			}
			badUTF8 = badUTF8 || bad
		case 't':
			if i, err = literal(b, i, "true"); err != nil {
				return badUTF8, err
			}
		case 'f':
			if i, err = literal(b, i, "false"); err != nil {
				return badUTF8, err
			}
		case 'n':
			if i, err = literal(b, i, "null"); err != nil {
				return badUTF8, err
			}
		default:
			if i, err = scanNumber(b, i); err != nil {
				return badUTF8, err
			}
		}
		// A value ended at i: close containers until another value is due.
		for {
			i = skipWS(b, i)
			if depth == 0 {
				if i != len(b) {
					return badUTF8, errSyntax
				}
				return badUTF8, nil
			}
			if i >= len(b) {
				return badUTF8, errSyntax
			}
			obj := stack[depth-1]
			c := b[i]
			if c == ',' {
				i = skipWS(b, i+1)
				if obj {
					var bad bool
					if i, bad, err = memberKey(b, i); err != nil {
						return badUTF8, err
					}
					badUTF8 = badUTF8 || bad
				}
				break
			}
			if obj && c == '}' || !obj && c == ']' {
				depth--
				i++
				continue
			}
			return badUTF8, errSyntax
		}
	}
}

// memberKey scans `"key" :` at i and returns the index after the colon and
// any whitespace.
func memberKey(b []byte, i int) (int, bool, error) {
	if i >= len(b) || b[i] != '"' {
		return i, false, errSyntax
	}
	i, bad, err := scanString(b, i)
	if err != nil {
		return i, bad, err
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, bad, errSyntax
	}
	return skipWS(b, i+1), bad, nil
}

func skipWS(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' {
		return i
	}
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func literal(b []byte, i int, lit string) (int, error) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return i, errSyntax
	}
	return i + len(lit), nil
}

// scanString scans the string starting with the quote at b[i] and returns
// the index after its closing quote.
func scanString(b []byte, i int) (end int, badUTF8 bool, err error) {
	i++
	for {
		i = skipPlain(b, i)
		for i < len(b) && strPlain[b[i]] {
			i++
		}
		if i >= len(b) {
			return i, badUTF8, errSyntax
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, badUTF8, nil
		case c == '\\':
			if i+1 >= len(b) {
				return i, badUTF8, errSyntax
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, badUTF8, errSyntax
				}
				i += 6
			default:
				return i, badUTF8, errSyntax
			}
		case c < 0x20:
			return i, badUTF8, errSyntax
		default:
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n <= 1 {
				badUTF8 = true
				n = 1
			}
			i += n
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber scans an RFC 8259 number at b[i].
func scanNumber(b []byte, i int) (int, error) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return i, errSyntax
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return i, errSyntax
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return i, errSyntax
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, nil
}
