package cache_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// discard is a ResponseWriter whose header map is cleared, not replaced,
// between requests, as a server reuses its own.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkCacheHitGateway measures a hit on a route of a gateway, with
// the gateway's own layers (request ID, path normalisation, routing)
// around the cache.
func BenchmarkCacheHitGateway(b *testing.B) {
	up := gatewaytest.NewUpstream(b)
	c, err := cache.New(cache.TTL(time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/cached/users/:id").Use(c.Handler).Proxy(gw.Upstream("users", up.URL), "/users/:id")
	if err := gw.Build(); err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/cached/users/42", nil)
	w := &discard{h: make(http.Header)}
	gw.ServeHTTP(w, r)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, r)
	}
	if w.status != http.StatusOK || w.h.Get("X-Cache") != "Hit" {
		b.Fatalf("status %d, X-Cache %q", w.status, w.h.Get("X-Cache"))
	}
}
