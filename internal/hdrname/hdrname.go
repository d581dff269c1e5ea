// Package hdrname compares header names the way the most lenient upstreams
// read them. CGI, WSGI, Rack and PHP turn every header into a variable
// such as HTTP_X_USER_ID, so "X-User-Id", "x-user-id" and "X_User_Id"
// all reach the application as one header: a header the gateway strips or
// sets must be stripped in every one of those spellings. It also tells
// requests that ask to switch protocols ([IsUpgrade]), which several
// layers treat apart.
package hdrname

// Same reports whether a and b name the same header for an upstream that
// ignores letter case and reads '_' as '-'.
func Same(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if fold(a[i]) != fold(b[i]) {
			return false
		}
	}
	return true
}

// HasPrefix reports whether name starts with prefix, compared as [Same]
// compares names.
func HasPrefix(name, prefix string) bool {
	return len(name) >= len(prefix) && Same(name[:len(prefix)], prefix)
}

func fold(c byte) byte {
	switch {
	case c == '_':
		return '-'
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}
