package pathnorm

import "strings"

// SlashMark stands for an encoded slash in the paths [RoutePath] returns.
// It is a backslash, a byte [Clean] never lets into a path, so it cannot be
// confused with anything a client sent.
const SlashMark = '\\'

// RoutePath decodes escaped, a path as [Clean] escapes it (url.URL.RawPath),
// writing each encoded slash as [SlashMark] instead of '/', so that a
// segment holding an encoded slash is still one segment to a router. ok is
// false when escaped has an invalid escape or a backslash.
func RoutePath(escaped string) (path string, ok bool) {
	if strings.IndexByte(escaped, '\\') >= 0 {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(escaped))
	for i := 0; i < len(escaped); i++ {
		c := escaped[i]
		if c == '%' {
			if i+2 >= len(escaped) || !isHex(escaped[i+1]) || !isHex(escaped[i+2]) {
				return "", false
			}
			c = unhex(escaped[i+1])<<4 | unhex(escaped[i+2])
			i += 2
			switch c {
			case '/':
				c = SlashMark
			case '\\':
				return "", false
			}
		}
		b.WriteByte(c)
	}
	return b.String(), true
}
