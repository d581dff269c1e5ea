package auth

import (
	"net/url"
	"strings"
)

// cutQueryParam removes every occurrence of the parameter name from the
// raw query and returns the unescaped value of the first, the number of
// occurrences and the rest of the query, whose other parameters keep their
// exact bytes and order. Parameter names are compared after unescaping, so
// "api%5Fkey" is the parameter "api_key" too. A value that does not
// unescape is returned raw (it then fails key syntax checks).
func cutQueryParam(raw, name string) (value string, n int, rest string) {
	if raw == "" || !mayContain(raw, name) {
		return "", 0, raw
	}
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			if n == 0 {
				if uv, err := url.QueryUnescape(v); err == nil {
					value = uv
				} else {
					value = v
				}
			}
			n++
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	if n == 0 {
		return "", 0, raw
	}
	return value, n, b.String()
}

// mayContain is a cheap filter: a query without the name's first byte or
// an escape cannot hold the parameter.
func mayContain(raw, name string) bool {
	return strings.Contains(raw, name) || strings.IndexByte(raw, '%') >= 0 || strings.IndexByte(raw, '+') >= 0 && strings.IndexByte(name, ' ') >= 0
}

// withQuery returns the request target uri with its query replaced by
// query, keeping the path exactly as the client sent it. An empty uri (a
// request not read from a client) stays empty.
func withQuery(uri, query string) string {
	path, _, _ := strings.Cut(uri, "?")
	if query == "" || uri == "" {
		return path
	}
	return path + "?" + query
}
