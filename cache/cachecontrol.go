package cache

import (
	"strings"
)

// directives are the Cache-Control directives this package acts on.
// Seconds fields are -1 when the directive is absent.
type directives struct {
	noStore, noCache, private, public bool
	mustRevalidate, onlyIfCached      bool
	maxAge, sMaxAge                   int64
	// invalid is set when a max-age or s-maxage value is not a
	// non-negative integer; RFC 9111 then treats the response as stale.
	invalid bool
}

// maxDeltaSeconds caps parsed delta-seconds (RFC 9111, section 1.2.2).
const maxDeltaSeconds = 1<<31 - 1

// parseCacheControl parses every Cache-Control field value in values.
// Directive names are case-insensitive; unknown directives are ignored; when
// a time directive repeats, the smallest value wins.
func parseCacheControl(values []string) directives {
	d := directives{maxAge: -1, sMaxAge: -1}
	for _, v := range values {
		for v != "" {
			var item string
			item, v = nextDirective(v)
			name, arg, hasArg := strings.Cut(item, "=")
			name = strings.TrimSpace(name)
			switch {
			case strings.EqualFold(name, "no-store"):
				d.noStore = true
			case strings.EqualFold(name, "no-cache"):
				d.noCache = true
			case strings.EqualFold(name, "private"):
				d.private = true
			case strings.EqualFold(name, "public"):
				d.public = true
			case strings.EqualFold(name, "must-revalidate"), strings.EqualFold(name, "proxy-revalidate"):
				d.mustRevalidate = true
			case strings.EqualFold(name, "only-if-cached"):
				d.onlyIfCached = true
			case strings.EqualFold(name, "max-age"):
				d.maxAge = d.seconds(d.maxAge, arg, hasArg)
			case strings.EqualFold(name, "s-maxage"):
				d.sMaxAge = d.seconds(d.sMaxAge, arg, hasArg)
			}
		}
	}
	return d
}

// seconds parses a delta-seconds argument and keeps the smaller of it and
// prev. A malformed argument marks d invalid and counts as zero.
func (d *directives) seconds(prev int64, arg string, hasArg bool) int64 {
	n, ok := deltaSeconds(unquote(strings.TrimSpace(arg)))
	if !hasArg || !ok {
		d.invalid = true
		n = 0
	}
	if prev >= 0 && prev < n {
		return prev
	}
	return n
}

// deltaSeconds parses a non-negative decimal, saturating at maxDeltaSeconds.
func deltaSeconds(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n < maxDeltaSeconds {
			n = n*10 + int64(c-'0')
		}
	}
	return min(n, maxDeltaSeconds), true
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// nextDirective splits s at the first comma outside a quoted string.
func nextDirective(s string) (item, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++
			}
		case ',':
			if !quoted {
				return s[:i], s[i+1:]
			}
		}
	}
	return s, ""
}

// wantsRefresh reports whether request directives ask for a response that
// was not served from the cache: no-cache, or a well-formed max-age=0.
func (d directives) wantsRefresh() bool { return d.noCache || (d.maxAge == 0 && !d.invalid) }
