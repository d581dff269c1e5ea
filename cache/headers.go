package cache

import (
	"net/http"
	"net/textproto"
	"strings"
)

// Header fields this package reads or writes.
const (
	// HeaderXCache reports how a response was produced: [StatusHit],
	// [StatusMiss], [StatusBypass] or [StatusStale].
	HeaderXCache = "X-Cache"
	// HeaderInvalidation is set to "ignored" on a response to a request
	// that asked to invalidate its entry without being authorized to,
	// under the [IgnoreUnauthorized] policy.
	HeaderInvalidation = "X-Cache-Invalidation"
)

// Values of [HeaderXCache].
const (
	// StatusHit means the response was served from the cache, or was
	// shared from a concurrent request's upstream call.
	StatusHit = "Hit"
	// StatusMiss means the response came from upstream on a cacheable
	// request, and was stored if the response allowed it.
	StatusMiss = "Miss"
	// StatusStale means the response was served from an expired entry
	// because the upstream failed; see [StaleIfError].
	StatusStale = "Stale"
	// StatusBypass means the cache did not take part: the request asked
	// not to use it, could not be keyed, or carried a header that could
	// change the response without being part of the key.
	StatusBypass = "Bypass"
)

var (
	valueHit    = []string{StatusHit}
	valueMiss   = []string{StatusMiss}
	valueBypass = []string{StatusBypass}
	valueStale  = []string{StatusStale}
	valueIgnore = []string{"ignored"}
)

// hopByHop are the fields that describe one connection, never a response.
var hopByHop = map[string]bool{
	"Connection":          true,
	"Keep-Alive":          true,
	"Proxy-Authenticate":  true,
	"Proxy-Authorization": true,
	"Proxy-Connection":    true,
	"Te":                  true,
	"Trailer":             true,
	"Transfer-Encoding":   true,
	"Upgrade":             true,
}

// connectionTokens returns the field names listed in h's Connection field,
// which are hop-by-hop too.
func connectionTokens(h http.Header) map[string]bool {
	var m map[string]bool
	for _, v := range h["Connection"] {
		for tok := range strings.SplitSeq(v, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "" {
				continue
			}
			if m == nil {
				m = make(map[string]bool)
			}
			m[textproto.CanonicalMIMEHeaderKey(tok)] = true
		}
	}
	return m
}

// replayable reports whether a stored response field is sent again on hits.
// Age is recomputed, Content-Length is set from the stored body, X-Cache is
// this cache's own, and X-Request-Id and the rate limit fields (RateLimit,
// RateLimit-Policy, Retry-After, set by a limiter behind the cache) belong
// to the request that filled the entry: a hit passes no limiter.
func replayable(name string, dropped map[string]bool) bool {
	if hopByHop[name] || dropped[name] {
		return false
	}
	switch name {
	case "Age", "Content-Length", HeaderXCache, HeaderInvalidation, "X-Request-Id", "Set-Cookie":
		return false
	}
	return !callerField(name)
}

// callerField reports whether a field describes the caller's rate limit
// budget rather than the resource.
func callerField(name string) bool {
	switch name {
	case "Ratelimit", "Ratelimit-Policy", "Retry-After":
		return true
	}
	return false
}

// dropRequestID removes from h the fields whose every value is id, the ID
// of the request that filled the entry: whatever the header the gateway
// names its request IDs with, an upstream echoing it describes that request
// alone.
func dropRequestID(h http.Header, id string) {
	if id == "" {
		return
	}
	for name, values := range h {
		echo := len(values) > 0
		for _, v := range values {
			echo = echo && v == id
		}
		if echo {
			delete(h, name)
		}
	}
}

// addCallerFields adds to h the caller fields of the response header from,
// which its entry does not keep, for the request that filled the entry.
func addCallerFields(h, from http.Header) {
	for name, values := range from {
		if len(values) > 0 && callerField(name) {
			h[name] = append(h[name][:len(h[name]):len(h[name])], values...)
		}
	}
}

// notModifiedField reports whether a field is sent with a 304 Not Modified
// response generated from a stored entry (RFC 9110, section 15.4.5).
func notModifiedField(name string, hasETag bool) bool {
	switch name {
	case "Cache-Control", "Content-Location", "Date", "Etag", "Expires", "Vary":
		return true
	case "Last-Modified":
		return !hasETag
	}
	return false
}
