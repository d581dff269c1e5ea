package auth

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// TokenSource names one place a request may carry its token: a header,
// optionally with an authentication scheme, or a cookie.
type TokenSource struct {
	header string // canonical header name
	scheme string // e.g. "Bearer"; empty means the whole value
	cookie string
}

// TokenFromHeader reads the token from the named header. With a scheme
// such as "Bearer", the value must be that scheme (compared
// case-insensitively), spaces, and the token; a value with another scheme
// is ignored. With an empty scheme the whole value is the token.
func TokenFromHeader(name, scheme string) TokenSource {
	return TokenSource{header: textproto.CanonicalMIMEHeaderKey(name), scheme: scheme}
}

// TokenFromCookie reads the token from the named cookie.
func TokenFromCookie(name string) TokenSource {
	return TokenSource{cookie: name}
}

func (s TokenSource) validate() error {
	switch {
	case s.header != "" && s.cookie == "" && validHeaderName(s.header) && !strings.ContainsAny(s.scheme, " \t"):
		return nil
	case s.cookie != "" && s.header == "" && validHeaderName(s.cookie):
		return nil
	}
	return fmt.Errorf("auth: JWT: invalid token source %+v", s)
}

var (
	errManyTokens     = fmt.Errorf("%w: more than one token presented", ErrInvalidRequest)
	errMalformedCreds = fmt.Errorf("%w: malformed credentials", ErrInvalidRequest)
)

// extractToken returns the one token r carries in sources, "" when there
// is none, or an error wrapping ErrInvalidRequest when there are several
// or the credentials are malformed.
func extractToken(r *http.Request, sources []TokenSource) (string, error) {
	var tok string
	found := 0
	for i := range sources {
		s := &sources[i]
		if s.cookie != "" {
			cs := r.CookiesNamed(s.cookie)
			if len(cs) == 0 {
				continue
			}
			found += len(cs)
			tok = cs[0].Value
			if hasSeparator(tok) {
				return "", errMalformedCreds
			}
			continue
		}
		vals := r.Header[s.header]
		for _, v := range vals {
			t, ok, err := fromHeaderValue(v, s.scheme)
			if err != nil {
				return "", err
			}
			if ok {
				found++
				tok = t
			}
		}
	}
	if found > 1 {
		return "", errManyTokens
	}
	if found == 1 && tok == "" {
		return "", errMalformedCreds
	}
	return tok, nil
}

// fromHeaderValue parses one header value: "scheme token" when scheme is
// set, otherwise the whole value. It reports whether the value holds a
// token for this source.
func fromHeaderValue(v, scheme string) (string, bool, error) {
	v = trimSpace(v)
	if scheme == "" {
		if v == "" {
			return "", false, nil
		}
		if hasSeparator(v) {
			return "", false, errMalformedCreds
		}
		return v, true, nil
	}
	if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
		return "", false, nil
	}
	rest := v[len(scheme):]
	if rest == "" {
		return "", true, errMalformedCreds
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		return "", false, nil // another scheme sharing the prefix
	}
	rest = trimSpace(rest)
	if rest == "" || hasSeparator(rest) {
		return "", true, errMalformedCreds
	}
	return rest, true, nil
}

// hasSeparator reports whether s holds a space, tab or comma: a token has
// none, so such a value carries several credentials or none.
func hasSeparator(s string) bool {
	return strings.IndexByte(s, ' ') >= 0 || strings.IndexByte(s, ',') >= 0 || strings.IndexByte(s, '\t') >= 0
}

// trimSpace removes leading and trailing spaces and tabs.
func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
