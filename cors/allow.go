package cors

import (
	"net/http"

	"github.com/gatewaykit/gateway/problem"
)

// Allow returns CORS middleware for one-line use, as in
// gw.Use(cors.Allow(cors.Origins("https://app.example.com"))). A
// configuration mistake is reported by the returned handler's Validate
// method, which a gateway calls when it deploys; used elsewhere, the handler
// answers every request with 500 problem+json. Prefer [New] where an error
// can be handled.
func Allow(opts ...Option) func(http.Handler) http.Handler {
	c, err := New(opts...)
	return func(next http.Handler) http.Handler {
		if err != nil {
			return invalid{err}
		}
		return c.Handler(next)
	}
}

// invalid is the handler of a policy that failed to compile.
type invalid struct{ err error }

// Validate returns the configuration error.
func (v invalid) Validate() error { return v.err }

func (v invalid) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	problem.Error(w, r, v.err)
}
