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
			if strings.ContainsAny(tok, " \t,") {
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
	v = strings.Trim(v, " \t")
	if scheme == "" {
		if v == "" {
			return "", false, nil
		}
		if strings.ContainsAny(v, " \t,") {
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
	rest = strings.TrimLeft(rest, " \t")
	if rest == "" || strings.ContainsAny(rest, " \t,") {
		return "", true, errMalformedCreds
	}
	return rest, true, nil
}
