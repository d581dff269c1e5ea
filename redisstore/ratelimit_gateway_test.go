package redisstore_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/redistest"
	"github.com/gatewaykit/gateway/ratelimit"
	"github.com/gatewaykit/gateway/redisstore"
)

// TestRateLimitAcrossGateways serves one client from two gateways that
// share a Redis: together they admit exactly the per-client limit, and
// their refusals are well-formed 429s.
func TestRateLimitAcrossGateways(t *testing.T) {
	srv := redistest.Start(t)
	newGateway := func() *gateway.Gateway {
		client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true, DialTimeout: 100 * time.Millisecond})
		t.Cleanup(func() { _ = client.Close() })
		store, err := redisstore.NewRateLimitStore(client, redisstore.RateLimitConfig{})
		if err != nil {
			t.Fatal(err)
		}
		lim, err := ratelimit.New(ratelimit.PerHour(5), ratelimit.Name("per-ip"), ratelimit.ByIP(),
			ratelimit.WithStore(store), ratelimit.Timeout(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		gw := gateway.New()
		gw.Group("/v1").Use(lim.Handler).GET("/hello").Mock(http.StatusOK, `{"ok":true}`)
		if err := gw.Build(); err != nil {
			t.Fatal(err)
		}
		return gw
	}
	clients := []*gatewaytest.Client{gatewaytest.NewClient(t, newGateway()), gatewaytest.NewClient(t, newGateway())}
	admitted := 0
	for i := 0; i < 12; i++ {
		res := clients[i%2].Get("/v1/hello")
		switch res.Status {
		case http.StatusOK:
			admitted++
			if res.Header.Get("RateLimit-Policy") != `"per-ip";q=5;w=3600` {
				t.Fatalf("RateLimit-Policy %q", res.Header.Get("RateLimit-Policy"))
			}
		case http.StatusTooManyRequests:
			if p := res.Problem(); p.Status != 429 || res.Header.Get("Retry-After") == "" ||
				res.Header.Get("RateLimit") == "" {
				t.Fatalf("refusal %v %s", res.Header, res.Body)
			}
		default:
			t.Fatalf("status %d: %s", res.Status, res.Body)
		}
	}
	if admitted != 5 {
		t.Fatalf("admitted %d across two gateways, want 5", admitted)
	}
	other := gatewaytest.NewClient(t, newGateway())
	other.RemoteAddr = "198.51.100.7:4000"
	other.Get("/v1/hello").ExpectStatus(http.StatusOK)
}
