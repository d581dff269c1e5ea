package aggregate

import (
	"net/url"
	"slices"
	"strings"
)

// appendClientQuery appends the client's query parameters the leg passes.
// A parameter the template sets itself is never taken from the client: a
// second value could override the template's for a backend that reads the
// last one ("/orders?user=:id" called with "?user=43").
func appendClientQuery(buf []byte, pathEnd int, l *leg, raw string) []byte {
	if raw == "" || !l.allQuery && len(l.passQuery) == 0 {
		return buf
	}
	sep := func() {
		if len(buf) > pathEnd {
			buf = append(buf, '&')
		}
	}
	if l.allQuery && len(l.tmpl.keys) == 0 {
		sep()
		return append(buf, raw...)
	}
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			if d, err := url.QueryUnescape(k); err == nil {
				k = d
			}
		}
		if slices.Contains(l.tmpl.keys, k) {
			continue
		}
		if l.allQuery || slices.Contains(l.passQuery, k) {
			sep()
			buf = appendPair(buf, pair)
		}
	}
	return buf
}

// appendPair appends a client's query pair with its semicolons escaped:
// backends that also split parameters at ';' must see one parameter, not
// one the leg did not mean to pass.
func appendPair(buf []byte, pair string) []byte {
	for {
		i := strings.IndexByte(pair, ';')
		if i < 0 {
			return append(buf, pair...)
		}
		buf = append(buf, pair[:i]...)
		buf = append(buf, "%3B"...)
		pair = pair[i+1:]
	}
}
