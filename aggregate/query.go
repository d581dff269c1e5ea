package aggregate

import (
	"net/url"
	"strings"
)

// appendClientQuery appends the client's query parameters the leg passes.
func appendClientQuery(buf []byte, pathEnd int, l *leg, raw string) []byte {
	if raw == "" || !l.allQuery && len(l.passQuery) == 0 {
		return buf
	}
	sep := func() {
		if len(buf) > pathEnd {
			buf = append(buf, '&')
		}
	}
	if l.allQuery {
		sep()
		return append(buf, raw...)
	}
	for rest := raw; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		k, _, _ := strings.Cut(pair, "=")
		if strings.ContainsAny(k, "%+") {
			if d, err := url.QueryUnescape(k); err == nil {
				k = d
			}
		}
		for _, n := range l.passQuery {
			if k == n {
				sep()
				buf = append(buf, pair...)
				break
			}
		}
	}
	return buf
}
