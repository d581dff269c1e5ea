package proxy_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/proxy"
)

// TestGatewayResilience runs a breaker-guarded upstream with health checks
// in a gateway: the breaker's rejection is a problem+json 503, and closing
// the gateway stops the health checks (goleak checks it in TestMain).
func TestGatewayResilience(t *testing.T) {
	backend := gatewaytest.NewUpstream(t)
	backend.Respond(http.StatusBadGateway, "down")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	u, err := proxy.NewUpstream("orders", []string{backend.URL},
		proxy.WithClock(func() time.Time { return now }),
		proxy.WithBreaker(breaker.Settings{ConsecutiveFailures: 2, OpenInterval: 10 * time.Second}),
		proxy.WithHealthCheck(proxy.HealthCheck{Path: "/", Interval: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	defer gw.Close()
	gw.GET("/orders").Proxy(gw.AddUpstream(u), "/orders")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	c.Get("/orders").ExpectStatus(http.StatusBadGateway)
	c.Get("/orders").ExpectStatus(http.StatusBadGateway)
	res := c.Get("/orders").ExpectStatus(http.StatusServiceUnavailable)
	if res.Header.Get("Retry-After") != "10" || res.Problem().Status != http.StatusServiceUnavailable {
		t.Fatalf("rejection %v %s", res.Header, res.Body)
	}
	if got := u.Breaker().State().String(); got != "open" {
		t.Fatalf("breaker %s", got)
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
}
