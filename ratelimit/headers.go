package ratelimit

import (
	"net/http"
	"strconv"
	"time"
)

// policy is what a limit advertises in the RateLimit-Policy and RateLimit
// header fields (draft-ietf-httpapi-ratelimit-headers).
type policy struct {
	name     string
	throttle Limit
	quota    Quota
	// header is the RateLimit-Policy value, for example
	// "default";q=100;w=1, "default-quota";q=1000;w=86400
	header string
}

// quotaSuffix names a limit's quota policy after its throttle policy.
const quotaSuffix = "-quota"

func newPolicy(name string, l Limit, q Quota) *policy {
	p := &policy{name: name, throttle: l, quota: q}
	var b []byte
	if !l.IsZero() {
		w := ceilSeconds(l.period, 1)
		// The quota of the policy's window, in floating point since
		// rate × window can overflow for extreme limits.
		n := max(int64(float64(l.rate)*float64(w)*float64(time.Second)/float64(l.period)), 1)
		b = appendItem(b, name, "", 'q', n, 'w', w)
	}
	if !q.IsZero() {
		b = appendItem(b, name, quotaSuffix, 'q', q.max, 'w', nominalSeconds(q.period))
	}
	p.header = string(b)
	return p
}

// nominalSeconds is the usual length of a period, for the policy window.
func nominalSeconds(p Period) int64 {
	switch p {
	case Week:
		return 7 * secondsPerDay
	case Month:
		return 30 * secondsPerDay
	}
	return secondsPerDay
}

// appendState appends the RateLimit value for res: the remaining tokens
// and the seconds until the bucket is full, then the remaining quota and
// the seconds until the window ends.
func (p *policy) appendState(b []byte, res *Result) []byte {
	if !p.throttle.IsZero() {
		r := res.Remaining
		if res.Reason == Throttled {
			r = 0
		}
		b = appendItem(b, p.name, "", 'r', r, 't', ceilSeconds(res.Reset, 0))
	}
	if !p.quota.IsZero() {
		b = appendItem(b, p.name, quotaSuffix, 'r', res.QuotaRemaining, 't', ceilSeconds(res.QuotaReset, 0))
	}
	return b
}

func appendItem(b []byte, name, suffix string, k1 byte, v1 int64, k2 byte, v2 int64) []byte {
	if len(b) > 0 {
		b = append(b, ", "...)
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, suffix...)
	b = append(b, '"', ';', k1, '=')
	b = strconv.AppendInt(b, v1, 10)
	b = append(b, ';', k2, '=')
	return strconv.AppendInt(b, v2, 10)
}

// The header field names in canonical form (net/http canonicalizes
// "RateLimit" to "Ratelimit"; field names are case-insensitive).
const (
	headerPolicy = "Ratelimit-Policy"
	headerState  = "Ratelimit"
)

// setHeaders adds p's header fields for res to h, after those of the
// limits in front of this one.
func (p *policy) setHeaders(h http.Header, res *Result) {
	var buf [96]byte
	h[headerPolicy] = append(h[headerPolicy], p.header)
	h[headerState] = append(h[headerState], string(p.appendState(buf[:0], res)))
}
