package ratelimit

import (
	"net/http"

	"github.com/gatewaykit/gateway/problem"
)

// Throttle returns middleware that enforces limit with opts, for use in one
// line:
//
//	v1.Use(ratelimit.Throttle(ratelimit.PerSecond(100).Burst(200), ratelimit.ByPrincipal()))
//
// The limiter is built once, so every handler the middleware wraps shares
// its state: used on a group, the limit covers the group's routes together.
// A configuration mistake does not panic: the handlers it returns report it
// from their Validate method, which the gateway calls when it builds or
// deploys, and answer 500 Internal Server Error when used elsewhere. Use
// [New] to get the error directly and to keep the [Limiter] for its
// statistics and quota management.
func Throttle(limit Limit, opts ...Option) func(http.Handler) http.Handler {
	l, err := New(limit, opts...)
	if err != nil {
		return func(http.Handler) http.Handler { return invalid{err} }
	}
	return l.Handler
}

// Middleware returns [Limiter.Handler] as middleware.
func (l *Limiter) Middleware() func(http.Handler) http.Handler { return l.Handler }

// invalid is the handler of a block whose configuration is wrong.
type invalid struct{ err error }

// Validate reports the configuration error.
func (v invalid) Validate() error { return v.err }

// ServeHTTP answers 500 Internal Server Error without revealing the
// mistake.
func (v invalid) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	problem.Error(w, r, problem.Wrap(v.err, http.StatusInternalServerError,
		"The gateway is misconfigured."))
}
