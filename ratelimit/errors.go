package ratelimit

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gatewaykit/gateway/problem"
)

// Errors the limiters report, wrapped in a [*problem.Problem] that carries
// the status and headers. Test for them with errors.Is.
var (
	// ErrLimited means a throttle refused the request: 429 Too Many
	// Requests, with Retry-After.
	ErrLimited = errors.New("ratelimit: rate limit exceeded")
	// ErrQuotaExceeded means the key's quota for the current period is
	// used up: 429 Too Many Requests, with Retry-After at the next window.
	ErrQuotaExceeded = errors.New("ratelimit: quota exceeded")
	// ErrUnavailable means the store failed and the limiter fails closed:
	// 503 Service Unavailable.
	ErrUnavailable = errors.New("ratelimit: limit store unavailable")
	// ErrNoPlan means no usage plan covers the request's key for its
	// stage and route, or the request carries no key: 403 Forbidden.
	ErrNoPlan = errors.New("ratelimit: no usage plan covers the request")
	// ErrUnknownPlan is returned when assigning a key to a plan that does
	// not exist.
	ErrUnknownPlan = errors.New("ratelimit: unknown plan")
)

var problemError = problem.Error

// refusal builds the problem for a refused decision of pol.
func refusal(pol *policy, res *Result, err error) *problem.Problem {
	if err != nil && res.Reason == Admitted {
		return problem.Wrap(errors.Join(ErrUnavailable, err), http.StatusServiceUnavailable,
			"The request could not be checked against its rate limit; try again shortly.").
			WithHeader("Retry-After", "1")
	}
	var p *problem.Problem
	if res.Reason == QuotaExhausted {
		p = problem.Wrap(ErrQuotaExceeded, http.StatusTooManyRequests,
			"The request quota for this period is used up; it renews when the period ends.").
			WithExtension("limit", "quota")
	} else {
		p = problem.Wrap(ErrLimited, http.StatusTooManyRequests,
			"The request rate limit was exceeded; slow down and retry after the time given in Retry-After.").
			WithExtension("limit", "throttle")
	}
	p.WithHeader("Retry-After", strconv.FormatInt(ceilSeconds(res.RetryAfter, 1), 10))
	p.WithHeader("RateLimit-Policy", pol.header)
	p.WithHeader("RateLimit", string(pol.appendState(nil, res)))
	return p
}

// ceilSeconds rounds d up to whole seconds, at least least.
func ceilSeconds(d time.Duration, least int64) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, least)
}
