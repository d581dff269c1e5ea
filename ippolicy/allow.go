package ippolicy

import (
	"net/http"

	"github.com/gatewaykit/gateway/problem"
)

// Only returns middleware that admits only the given prefixes or addresses,
// for one-line use: gw.Use(ippolicy.Only("10.0.0.0/8")). See [Middleware].
func Only(cidrs ...string) func(http.Handler) http.Handler {
	return Middleware(Allow(cidrs...))
}

// Block returns middleware that refuses the given prefixes or addresses
// and admits everyone else, for one-line use. See [Middleware].
func Block(cidrs ...string) func(http.Handler) http.Handler {
	return Middleware(Deny(cidrs...))
}

// Middleware returns the policy built from opts as middleware. A
// configuration mistake is reported by the returned handler's Validate
// method, which a gateway calls when it deploys; used elsewhere, the handler
// answers every request with 500 problem+json. Prefer [New] where an error
// can be handled.
func Middleware(opts ...Option) func(http.Handler) http.Handler {
	p, err := New(opts...)
	return func(next http.Handler) http.Handler {
		if err != nil {
			return invalid{err}
		}
		return p.Handler(next)
	}
}

// invalid is the handler of a policy that failed to compile.
type invalid struct{ err error }

// Validate returns the configuration error.
func (v invalid) Validate() error { return v.err }

func (v invalid) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	problem.Error(w, r, v.err)
}
