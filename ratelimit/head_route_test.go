package ratelimit_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/ratelimit"
)

// TestGetRoutesCoverHead sends HEAD requests to a GET route, which the
// gateway serves with the GET route's chain and upstream: a plan's route
// throttle and routes written for GET apply to them as well.
func TestGetRoutesCoverHead(t *testing.T) {
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	keys := auth.NewMemoryKeyStore()
	mgr := &auth.KeyManager{Store: keys}
	key, _, err := mgr.Create(context.Background(), auth.APIKey{ID: "k", Plan: "basic"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		plan ratelimit.Plan
	}{
		{"route throttle", ratelimit.Plan{Name: "basic", Throttle: ratelimit.PerSecond(100),
			RouteThrottles: []ratelimit.RouteThrottle{{Route: "GET /v1/search", Throttle: ratelimit.PerMinute(2)}}}},
		{"plan routes", ratelimit.Plan{Name: "basic", Throttle: ratelimit.PerMinute(2), Routes: []string{"GET /v1/*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plans, err := ratelimit.NewPlans([]ratelimit.Plan{tt.plan}, ratelimit.Clock(clock))
			if err != nil {
				t.Fatal(err)
			}
			upstream := gatewaytest.NewUpstream(t)
			gw := gateway.New()
			api := gw.Upstream("api", upstream.URL)
			gw.Group("/v1").Use(auth.APIKeys(auth.APIKeyConfig{Store: keys}), plans.Middleware()).
				GET("/search").Proxy(api, "/search")
			if err := gw.Build(); err != nil {
				t.Fatal(err)
			}
			c := gatewaytest.NewClient(t, gw)
			for i, want := range []int{http.StatusOK, http.StatusOK, http.StatusTooManyRequests} {
				if res := c.Request(http.MethodHead, "/v1/search", "", "X-Api-Key", key); res.Status != want {
					t.Fatalf("HEAD %d: status %d, want %d", i+1, res.Status, want)
				}
			}
			if res := c.Get("/v1/search", "X-Api-Key", key); res.Status != http.StatusTooManyRequests {
				t.Fatalf("GET after two HEADs: status %d, want 429", res.Status)
			}
			if got := upstream.Count(); got != 2 {
				t.Fatalf("upstream saw %d requests, want 2", got)
			}
		})
	}
}
