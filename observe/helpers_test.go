package observe_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// stepClock is a clock that moves by step every time it is read.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func newStepClock(step time.Duration) *stepClock {
	return &stepClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), step: step}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// annotate is route middleware that records what blocks would: it stands
// in for the cache, rate limit, retry and aggregate blocks so their
// annotations can be checked end to end.
func annotate(f func(*reqctx.Info)) gateway.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f(reqctx.From(r.Context()))
			next.ServeHTTP(w, r)
		})
	}
}

// authenticate records a principal the way the auth block does.
func authenticate(p *reqctx.Principal) gateway.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(reqctx.WithPrincipal(r.Context(), p)))
		})
	}
}

// testGateway is a gateway with a proxied route, a mock, annotated routes
// and the observer in front.
func testGateway(t *testing.T, mw gateway.Middleware) (*gateway.Gateway, *gatewaytest.Upstream) {
	t.Helper()
	up := gatewaytest.NewUpstream(t)
	up.Respond(200, `{"id":42,"name":"Jane"}`, "Content-Type", "application/json")
	gw := gateway.New(gateway.TrustedProxies("192.0.2.0/24"), gateway.Logger(slog.New(slog.DiscardHandler)))
	gw.Use(mw)
	users := gw.Upstream("users", up.URL)
	gw.GET("/users/:id").Proxy(users, "/users/:id")
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	gw.GET("/down").Proxy(gw.Upstream("down", gone.URL), "/")
	gw.GET("/health").Mock(200, `{"ok":true}`)
	gw.GET("/cached/:id").Use(annotate(func(i *reqctx.Info) {
		i.CacheStatus = "hit"
	})).Mock(200, "cached")
	gw.GET("/limited").Use(annotate(func(i *reqctx.Info) {
		i.Limiter, i.LimitDecision = "per-ip", "throttled"
		i.SetError("THROTTLED")
	})).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Error(w, r, problem.New(429, "Slow down.").WithHeader("Retry-After", "1"))
	})
	gw.GET("/retried").Use(annotate(func(i *reqctx.Info) {
		i.Upstream, i.Retries, i.UpstreamLatency = "users", 2, 3*time.Millisecond
	})).Mock(200, "ok")
	gw.GET("/dashboard").Use(annotate(func(i *reqctx.Info) {
		i.LegFailures = 2
	})).Mock(200, "{}")
	gw.GET("/me").Use(authenticate(&reqctx.Principal{ID: "alice", KeyID: "key-7", Method: "apikey"})).Mock(200, "me")
	gw.GET("/panic").HandleFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	return gw, up
}

// metricValue reads one counter or gauge child from reg, 0 when absent.
func metricValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	m := findMetric(t, reg, name, labels)
	switch {
	case m == nil:
		return 0
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	t.Fatalf("%s is not a counter or gauge", name)
	return 0
}

// histogram reads one histogram child's sample count and sum.
func histogram(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) (uint64, float64) {
	t.Helper()
	m := findMetric(t, reg, name, labels)
	if m == nil || m.Histogram == nil {
		return 0, 0
	}
	return m.Histogram.GetSampleCount(), m.Histogram.GetSampleSum()
}

func findMetric(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, lp := range m.GetLabel() {
				have[lp.GetName()] = lp.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			return m
		}
	}
	return nil
}

// labelValues returns every label value of every series in reg.
func labelValues(t *testing.T, reg prometheus.Gatherer) []string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "gateway_") {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				vs = append(vs, lp.GetName()+"="+lp.GetValue())
			}
		}
	}
	return vs
}
