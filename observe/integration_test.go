package observe_test

import (
	"log/slog"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
)

// TestAggregateIntegrationLatency checks that the latency an aggregate
// records (its slowest leg) reaches the integration histogram and the
// access log, as a proxied upstream's does.
func TestAggregateIntegrationLatency(t *testing.T) {
	m, reg := newMetrics(t)
	l, buf := newLog(slog.LevelInfo)
	a := gatewaytest.NewUpstream(t)
	a.Respond(200, `{"a":1}`, "Content-Type", "application/json")
	b := gatewaytest.NewUpstream(t)
	b.Respond(200, `{"b":2}`, "Content-Type", "application/json")
	gw := gateway.New()
	gw.Use(observe.New(observe.WithMetrics(m), observe.WithAccessLog(l)).Middleware())
	gw.GET("/agg/:id").Handle(aggregate.New(
		aggregate.Call(gw.Upstream("a", a.URL), "/a/:id"),
		aggregate.Call(gw.Upstream("b", b.URL), "/b/:id"),
	))
	gw.GET("/health").Mock(200, "ok")
	c := gatewaytest.NewClient(t, gw)
	c.Get("/agg/1").ExpectStatus(200)
	c.Get("/health").ExpectStatus(200)

	n, sum := histogram(t, reg, "gateway_integration_duration_seconds", map[string]string{"route": "/agg/:id", "upstream": ""})
	if n != 1 || sum <= 0 {
		t.Errorf("aggregate integration latency: %d samples, sum %v", n, sum)
	}
	if n, _ := histogram(t, reg, "gateway_integration_duration_seconds", map[string]string{"route": "/health"}); n != 0 {
		t.Errorf("a mock has no integration latency, got %d samples", n)
	}
	recs := buf.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if v, ok := recs[0]["integration_latency_us"]; !ok || v.(float64) < 0 {
		t.Errorf("aggregate record without integration latency: %v", recs[0])
	}
	if _, ok := recs[1]["integration_latency_us"]; ok {
		t.Errorf("mock record with integration latency: %v", recs[1])
	}
}
