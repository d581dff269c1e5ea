package gateway_test

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gatewaykit/gateway"
)

// cacheFor is a block with a one-line constructor: a mistake in its
// argument cannot be returned from cacheFor, so the handler it makes
// reports it through gateway.Validator instead.
func cacheFor(ttl time.Duration) gateway.Middleware {
	return func(next http.Handler) http.Handler {
		return &cacheHandler{next: next, ttl: ttl}
	}
}

type cacheHandler struct {
	next http.Handler
	ttl  time.Duration
}

// Validate reports a configuration mistake; Deploy and Build return it.
func (h *cacheHandler) Validate() error {
	if h.ttl <= 0 || h.ttl > time.Hour {
		return errors.New("cache TTL must be between 0 and 1h")
	}
	return nil
}

func (h *cacheHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.Validate(); err != nil { // used outside a gateway
		http.Error(w, "misconfigured", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d", int(h.ttl.Seconds())))
	h.next.ServeHTTP(w, r)
}

func ExampleValidator() {
	gw := gateway.New()
	gw.GET("/users/:id").Use(cacheFor(2*time.Hour)).Mock(http.StatusOK, `{}`)
	fmt.Println(gw.Build())
	// Output:
	// gateway: route GET /users/:id: middleware 0: cache TTL must be between 0 and 1h
}
