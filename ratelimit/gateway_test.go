package ratelimit_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/ratelimit"
)

// TestThroughGateway puts a gateway-wide throttle, API keys and usage
// plans in a gateway: keys get their plan's limits, the gateway limit
// covers everyone, and requests refused by authentication create no
// limiter state.
func TestThroughGateway(t *testing.T) {
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	keys := auth.NewMemoryKeyStore()
	mgr := &auth.KeyManager{Store: keys}
	gold, _, err := mgr.Create(context.Background(), auth.APIKey{ID: "k-gold", Plan: "gold"})
	if err != nil {
		t.Fatal(err)
	}
	free, _, err := mgr.Create(context.Background(), auth.APIKey{ID: "k-free"})
	if err != nil {
		t.Fatal(err)
	}
	store, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	plans, err := ratelimit.NewPlans([]ratelimit.Plan{
		{Name: "gold", Throttle: ratelimit.PerSecond(100), Quota: ratelimit.Daily(3)},
	}, ratelimit.Name("plans"), ratelimit.WithStore(store), ratelimit.Clock(clock))
	if err != nil {
		t.Fatal(err)
	}
	upstream := gatewaytest.NewUpstream(t)
	gw := gateway.New()
	gw.Use(ratelimit.Throttle(ratelimit.PerMinute(7), ratelimit.Name("gateway"), ratelimit.Clock(clock)))
	api := gw.Upstream("api", upstream.URL)
	gw.Group("/v1").Use(auth.APIKeys(auth.APIKeyConfig{Store: keys}), plans.Middleware()).
		GET("/things").Proxy(api, "/things")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)

	c.Get("/v1/things").ExpectStatus(http.StatusUnauthorized)
	c.Get("/v1/things", "X-Api-Key", "not-a-key").ExpectStatus(http.StatusUnauthorized)
	if store.Len() != 0 {
		t.Fatalf("requests refused by authentication created %d keys", store.Len())
	}
	if p := c.Get("/v1/things", "X-Api-Key", free).ExpectStatus(http.StatusForbidden).Problem(); p.Status != 403 {
		t.Fatalf("key without plan: %+v", p)
	}
	for i := 0; i < 3; i++ {
		res := c.Get("/v1/things", "X-Api-Key", gold).ExpectStatus(http.StatusOK)
		if h := res.Header.Values("RateLimit"); len(h) != 2 || !strings.HasPrefix(h[0], `"gateway";`) || !strings.HasPrefix(h[1], `"gold";`) {
			t.Fatalf("RateLimit fields %q", h)
		}
	}
	res := c.Get("/v1/things", "X-Api-Key", gold).ExpectStatus(http.StatusTooManyRequests)
	if !strings.Contains(res.Problem().Detail, "quota") || res.Header.Get("Retry-After") != "43200" {
		t.Fatalf("quota refusal %v %s", res.Header, res.Body)
	}
	// The gateway limit (7 a minute) has admitted seven requests, whatever
	// happened after it, the refused ones included.
	c.Get("/health").ExpectStatus(http.StatusTooManyRequests)
	if got := upstream.Count(); got != 3 {
		t.Fatalf("upstream saw %d requests", got)
	}
}

// TestThrottleValidation makes a gateway report a misconfigured
// one-line limiter when it builds.
func TestThrottleValidation(t *testing.T) {
	gw := gateway.New()
	gw.GET("/x").Use(ratelimit.Throttle(ratelimit.PerSecond(0))).Mock(http.StatusOK, "")
	if err := gw.Build(); err == nil || !strings.Contains(err.Error(), "rate must be positive") {
		t.Fatalf("Build = %v", err)
	}
}
