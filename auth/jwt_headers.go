package auth

import "net/http"

// stripClaimHeaders removes from h every header a client might have sent
// in place of a claim header: the name itself in any letter case, and the
// spellings with underscores for dashes ("X_User_Id" for "X-User-Id"),
// which many upstream frameworks (CGI, WSGI, Rack, PHP) read as the same
// header.
func (a *JWTAuth) stripClaimHeaders(h http.Header) {
	for name := range h {
		for i := range a.headers {
			if sameHeaderName(name, a.headers[i].Header) {
				delete(h, name)
				break
			}
		}
	}
}

// sameHeaderName reports whether a and b name the same header for an
// upstream that ignores case and treats '_' as '-'.
func sameHeaderName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if foldHeaderByte(a[i]) != foldHeaderByte(b[i]) {
			return false
		}
	}
	return true
}

func foldHeaderByte(c byte) byte {
	switch {
	case c == '_':
		return '-'
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}
