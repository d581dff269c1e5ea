package cache

import (
	"net/http"

	"github.com/gatewaykit/gateway/problem"
)

// Middleware returns a middleware that puts a handler behind the cache with
// the options given to [New] changed by opts, for one route or group: its
// own [TTL], key parameters, methods, statuses or invalidation policy. The
// options that configure the whole cache ([WithStore], [MemoryBytes],
// [Now], [OnError], [StoreBackoff]) are mistakes here.
//
// A mistake in opts cannot be returned, so the handler reports it from its
// Validate method, which the gateway calls when it builds the route, and
// answers every request with 500 Internal Server Error.
func (c *Cache) Middleware(opts ...Option) func(http.Handler) http.Handler {
	cfg := c.cfg.forRoute()
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	err := cfg.err()
	return func(next http.Handler) http.Handler {
		switch {
		case err != nil:
			return invalid{err: err, errorHandler: errorHandlerOf(cfg)}
		case cfg.ttl == 0:
			return next
		}
		return c.newHandler(cfg, next)
	}
}

// invalid is the handler of a misconfigured [Cache.Middleware].
type invalid struct {
	err          error
	errorHandler func(http.ResponseWriter, *http.Request, error)
}

// Validate returns the configuration mistake.
func (h invalid) Validate() error { return h.err }

func (h invalid) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.errorHandler(w, r, problem.Wrap(h.err, http.StatusInternalServerError, "The cache of this route is misconfigured."))
}
