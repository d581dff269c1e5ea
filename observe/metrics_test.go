package observe_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
)

func newMetrics(t *testing.T, opts ...observe.MetricsOption) (*observe.Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := observe.NewMetrics(append([]observe.MetricsOption{observe.Registerer(reg)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

func TestMetricsRequests(t *testing.T) {
	m, reg := newMetrics(t)
	clock := newStepClock(10 * time.Millisecond) // every request takes 10ms
	gw, up := testGateway(t, observe.New(observe.WithMetrics(m), observe.Clock(clock.Now)).Middleware())
	c := gatewaytest.NewClient(t, gw)
	c.Get("/users/42").ExpectStatus(200)
	c.Get("/users/7").ExpectStatus(200)
	up.Enqueue(gatewaytest.Reply{Status: 503})
	c.Get("/users/8").ExpectStatus(503)
	c.Get("/down").ExpectStatus(502)
	c.Get("/health").ExpectStatus(200)
	c.Get("/nope/42").ExpectStatus(404)
	c.Request("POST", "/users/42", "x").ExpectStatus(405)
	c.Request("BREW", "/health", "").ExpectStatus(405)
	c.Get("/limited").ExpectStatus(429)
	c.Get("/panic").ExpectStatus(500)

	stage := gateway.DefaultStage
	tests := []struct {
		name   string
		metric string
		labels map[string]string
		want   float64
	}{
		{"proxied", "gateway_requests_total", map[string]string{"stage": stage, "route": "/users/:id", "method": "GET", "status_class": "2xx"}, 2},
		{"mock", "gateway_requests_total", map[string]string{"route": "/health", "method": "GET", "status_class": "2xx"}, 1},
		{"not found", "gateway_requests_total", map[string]string{"route": "unmatched", "method": "GET", "status_class": "4xx"}, 1},
		{"method not allowed", "gateway_requests_total", map[string]string{"route": "unmatched", "method": "POST", "status_class": "4xx"}, 1},
		{"unknown method", "gateway_requests_total", map[string]string{"route": "unmatched", "method": "_OTHER", "status_class": "4xx"}, 1},
		{"panic", "gateway_requests_total", map[string]string{"route": "/panic", "status_class": "5xx"}, 1},
		{"404 error type", "gateway_request_errors_total", map[string]string{"route": "unmatched", "method": "GET", "error_type": "RESOURCE_NOT_FOUND"}, 1},
		{"405 error type", "gateway_request_errors_total", map[string]string{"method": "POST", "error_type": "METHOD_NOT_ALLOWED"}, 1},
		{"throttled", "gateway_request_errors_total", map[string]string{"route": "/limited", "status_class": "4xx", "error_type": "THROTTLED"}, 1},
		{"panic error type", "gateway_request_errors_total", map[string]string{"route": "/panic", "status_class": "5xx", "error_type": "DEFAULT_5XX"}, 1},
		{"no error for success", "gateway_request_errors_total", map[string]string{"route": "/users/:id", "status_class": "2xx"}, 0},
		{"upstream's own 503", "gateway_request_errors_total", map[string]string{"route": "/users/:id", "status_class": "5xx", "error_type": ""}, 1},
		{"upstream unreachable", "gateway_request_errors_total", map[string]string{"route": "/down", "upstream": "", "error_type": "INTEGRATION_FAILURE"}, 1},
		{"rate limit decision", "gateway_ratelimit_decisions_total", map[string]string{"stage": stage, "limiter": "per-ip", "decision": "throttled"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := metricValue(t, reg, tt.metric, tt.labels); got != tt.want {
				t.Fatalf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
			}
		})
	}

	n, sum := histogram(t, reg, "gateway_request_duration_seconds", map[string]string{"route": "/users/:id", "status_class": "2xx"})
	if n != 2 || sum < 0.0199 || sum > 0.0201 {
		t.Errorf("latency histogram: %d samples, sum %v; want 2 and 0.02s by the clock", n, sum)
	}
	n, sum = histogram(t, reg, "gateway_integration_duration_seconds", map[string]string{"route": "/users/:id", "upstream": "users"})
	if n != 3 || sum <= 0 {
		t.Errorf("integration histogram: %d samples, sum %v", n, sum)
	}
	if n, _ := histogram(t, reg, "gateway_integration_duration_seconds", map[string]string{"route": "/health"}); n != 0 {
		t.Errorf("a mock has no integration latency, got %d samples", n)
	}
	n, sum = histogram(t, reg, "gateway_response_size_bytes", map[string]string{"route": "/users/:id", "status_class": "2xx"})
	if n != 2 || sum != 2*float64(len(`{"id":42,"name":"Jane"}`)) {
		t.Errorf("size histogram: %d samples, sum %v", n, sum)
	}
	for _, v := range labelValues(t, reg) {
		if strings.Contains(v, "42") || strings.Contains(v, "nope") || strings.Contains(v, "BREW") {
			t.Errorf("raw request data in a label: %s", v)
		}
	}
}

func TestMetricsAnnotations(t *testing.T) {
	m, reg := newMetrics(t)
	gw, _ := testGateway(t, m.Middleware())
	c := gatewaytest.NewClient(t, gw)
	for range 3 {
		c.Get("/cached/1").ExpectStatus(200)
	}
	c.Get("/retried").ExpectStatus(200)
	c.Get("/retried").ExpectStatus(200)
	c.Get("/dashboard").ExpectStatus(200)

	tests := []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"gateway_cache_requests_total", map[string]string{"route": "/cached/:id", "result": "hit"}, 3},
		{"gateway_upstream_retries_total", map[string]string{"upstream": "users"}, 4},
		{"gateway_aggregate_leg_failures_total", map[string]string{"route": "/dashboard"}, 2},
	}
	for _, tt := range tests {
		if got := metricValue(t, reg, tt.metric, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
		}
	}
	n, sum := histogram(t, reg, "gateway_integration_duration_seconds", map[string]string{"route": "/retried", "upstream": "users"})
	if n != 2 || sum < 0.0059 || sum > 0.0061 {
		t.Errorf("integration latency from the annotation: %d samples, sum %v", n, sum)
	}
}

func TestMetricsEvents(t *testing.T) {
	m, reg := newMetrics(t)
	m.BreakerStateChanged("users", "closed", "open")
	m.BreakerStateChanged("users", "open", "half-open")
	m.BreakerStateChanged("orders", "closed", "open")
	m.HealthChanged("users", "http://10.0.0.5:8080", false)
	m.HealthChanged("users", "http://10.0.0.5:8080", true)
	m.HealthChanged("users", "http://10.0.0.6:8080", false)
	m.KeysRefreshed("https://id.example.com/", nil)
	m.KeysRefreshed("https://id.example.com/", nil)
	m.KeysRefreshed("https://id.example.com/", errors.New("connection refused"))
	m.StoreError("ratelimit.allow", errors.New("i/o timeout"))
	m.StoreError("ratelimit.allow", nil)

	tests := []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"gateway_breaker_state", map[string]string{"breaker": "users"}, 1},
		{"gateway_breaker_state", map[string]string{"breaker": "orders"}, 2},
		{"gateway_breaker_transitions_total", map[string]string{"breaker": "users", "from": "closed", "to": "open"}, 1},
		{"gateway_breaker_transitions_total", map[string]string{"breaker": "users", "from": "open", "to": "half-open"}, 1},
		{"gateway_upstream_target_up", map[string]string{"upstream": "users", "target": "http://10.0.0.5:8080"}, 1},
		{"gateway_upstream_target_up", map[string]string{"upstream": "users", "target": "http://10.0.0.6:8080"}, 0},
		{"gateway_upstream_health_transitions_total", map[string]string{"target": "http://10.0.0.5:8080", "state": "unhealthy"}, 1},
		{"gateway_jwks_refreshes_total", map[string]string{"issuer": "https://id.example.com/", "result": "success"}, 2},
		{"gateway_jwks_refreshes_total", map[string]string{"issuer": "https://id.example.com/", "result": "failure"}, 1},
		{"gateway_store_errors_total", map[string]string{"op": "ratelimit.allow"}, 1},
	}
	for _, tt := range tests {
		if got := metricValue(t, reg, tt.metric, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.metric, tt.labels, got, tt.want)
		}
	}
	if findMetric(t, reg, "gateway_upstream_target_up", map[string]string{"target": "http://10.0.0.6:8080"}) == nil {
		t.Error("an unhealthy target must have a 0 series, not none")
	}
}

func TestMetricsHandlerOnGateway(t *testing.T) {
	m, _ := newMetrics(t, observe.Namespace("edge"), observe.ConstLabels(prometheus.Labels{"region": "eu"}))
	gw := gateway.New()
	gw.Use(m.Middleware())
	gw.GET("/health").Mock(200, "ok")
	gw.GET("/metrics").Handle(m.Handler())
	c := gatewaytest.NewClient(t, gw)
	c.Get("/health").ExpectStatus(200)
	body := c.Get("/metrics").ExpectStatus(200).String()
	want := `edge_requests_total{method="GET",region="eu",route="/health",stage="$default",status_class="2xx"} 1`
	if !strings.Contains(body, want) {
		t.Fatalf("metrics page lacks %s:\n%s", want, body)
	}
}

func TestNewMetricsErrors(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := observe.NewMetrics(observe.Registerer(reg)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []observe.MetricsOption
		want string
	}{
		{"registered twice", []observe.MetricsOption{observe.Registerer(reg)}, "gateway_requests_total: duplicate"},
		{"empty buckets", []observe.MetricsOption{observe.DurationBuckets()}, "no buckets"},
		{"decreasing buckets", []observe.MetricsOption{observe.SizeBuckets(10, 5)}, "strictly increasing"},
		{"bad namespace", []observe.MetricsOption{observe.Namespace("my-gateway")}, "my-gateway"},
		{"digit first", []observe.MetricsOption{observe.Namespace("1st")}, "1st"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := observe.NewMetrics(tt.opts...)
			if err != nil && strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("want one error line, got %v", err)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// registererOnly hides the registry's Gather method.
type registererOnly struct{ prometheus.Registerer }

func TestMetricsHandlerWithoutGatherer(t *testing.T) {
	m, err := observe.NewMetrics(observe.Registerer(registererOnly{prometheus.NewRegistry()}))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.GET("/metrics").Handle(m.Handler())
	if err := gw.Build(); err == nil || !strings.Contains(err.Error(), "not a gatherer") {
		t.Fatalf("Build = %v, want the missing gatherer reported", err)
	}
	rec := gatewaytest.NewClient(t, m.Handler()).Get("/metrics")
	if rec.Status != 500 || strings.Contains(rec.String(), "gatherer") {
		t.Fatalf("got %d %s", rec.Status, rec)
	}
	reg := prometheus.NewRegistry()
	m, err = observe.NewMetrics(observe.Registerer(registererOnly{reg}), observe.Gatherer(reg))
	if err != nil {
		t.Fatal(err)
	}
	gatewaytest.NewClient(t, m.Handler()).Get("/metrics").ExpectStatus(200)
}

func TestNewMetricsUndoesPartialRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	taken := prometheus.NewCounter(prometheus.CounterOpts{Name: "gateway_store_errors_total", Help: "taken"})
	reg.MustRegister(taken)
	if _, err := observe.NewMetrics(observe.Registerer(reg)); err == nil {
		t.Fatal("want a registration error")
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(mfs) != 1 || mfs[0].GetName() != "gateway_store_errors_total" {
		t.Fatalf("registry keeps %d families after a failed NewMetrics", len(mfs))
	}
}

// TestMetricsConcurrentRoutes creates series from many goroutines at once:
// every request is counted exactly once.
func TestMetricsConcurrentRoutes(t *testing.T) {
	m, reg := newMetrics(t)
	gw := gateway.New()
	gw.Use(m.Middleware())
	const routes, perRoute = 20, 25
	for i := range routes {
		gw.GET("/r"+strconv.Itoa(i)+"/:id").Mock(200, "ok")
	}
	c := gatewaytest.NewClient(t, gw)
	var wg sync.WaitGroup
	for i := range routes {
		for range perRoute {
			wg.Go(func() { c.Get("/r" + strconv.Itoa(i) + "/x") })
		}
	}
	wg.Wait()
	for i := range routes {
		route := "/r" + strconv.Itoa(i) + "/:id"
		if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": route}); got != perRoute {
			t.Errorf("%s counted %v times, want %d", route, got, perRoute)
		}
		if n, _ := histogram(t, reg, "gateway_request_duration_seconds", map[string]string{"route": route}); n != perRoute {
			t.Errorf("%s latency histogram has %d samples", route, n)
		}
	}
}
