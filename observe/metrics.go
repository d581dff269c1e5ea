package observe

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatewaykit/gateway/problem"
)

// Metrics records Prometheus metrics about requests, from the annotations
// the blocks leave on each request, and about background events reported
// through its callback methods ([Metrics.BreakerStateChanged],
// [Metrics.HealthChanged], [Metrics.KeysRefreshed], [Metrics.StoreError]).
// Install it with [Metrics.Middleware] or [WithMetrics]. It is safe for
// concurrent use.
type Metrics struct {
	gather prometheus.Gatherer

	requests    *prometheus.CounterVec
	errors      *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	integration *prometheus.HistogramVec
	size        *prometheus.HistogramVec
	cache       *prometheus.CounterVec
	limits      *prometheus.CounterVec
	retries     *prometheus.CounterVec
	legs        *prometheus.CounterVec
	breaker     *prometheus.GaugeVec
	transitions *prometheus.CounterVec
	targetUp    *prometheus.GaugeVec
	health      *prometheus.CounterVec
	jwks        *prometheus.CounterVec
	storeErrors *prometheus.CounterVec

	series      lazyMap[seriesKey, *series]
	errSeries   lazyMap[errorKey, prometheus.Counter]
	upSeries    lazyMap[upstreamKey, prometheus.Observer]
	cacheSeries lazyMap[cacheKey, prometheus.Counter]
	limSeries   lazyMap[limitKey, prometheus.Counter]
	retrySeries lazyMap[string, prometheus.Counter]
	legSeries   lazyMap[legKey, prometheus.Counter]
}

var (
	requestLabels     = []string{"stage", "route", "method", "status_class"}
	errorLabels       = []string{"stage", "route", "method", "status_class", "error_type"}
	integrationLabels = []string{"stage", "route", "method", "upstream"}
)

// NewMetrics creates the gateway's metrics and registers them. It returns an
// error when a bucket list is not strictly increasing or registration fails
// (a metric of the same name is already registered, an invalid namespace or
// label).
func NewMetrics(opts ...MetricsOption) (*Metrics, error) {
	c := metricsConfig{namespace: DefaultNamespace, duration: DefaultDurationBuckets, size: DefaultSizeBuckets}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if !validNamespace(c.namespace) {
		return nil, fmt.Errorf("observe: Namespace %q: use letters, digits and '_', not starting with a digit", c.namespace)
	}
	if err := checkBuckets("DurationBuckets", c.duration); err != nil {
		return nil, err
	}
	if err := checkBuckets("SizeBuckets", c.size); err != nil {
		return nil, err
	}
	if c.reg == nil {
		reg := prometheus.NewRegistry()
		c.reg = reg
	}
	if c.gather == nil {
		c.gather, _ = c.reg.(prometheus.Gatherer)
	}
	m := &Metrics{gather: c.gather}
	f := factory{c: &c}
	m.requests = f.counter("requests_total", "Requests served, by stage, route template, method and status class.", requestLabels...)
	m.errors = f.counter("request_errors_total", "Requests answered with a 4xx or 5xx status, by the gateway's error type (empty when the integration answered with the error).", errorLabels...)
	m.duration = f.histogram("request_duration_seconds", "Time from receiving a request to the end of its response.", c.duration, requestLabels...)
	m.integration = f.histogram("integration_duration_seconds", "Time the upstream took to answer with its response headers, summed over attempts; for an aggregate (upstream \"\"), its slowest leg.", c.duration, integrationLabels...)
	m.size = f.histogram("response_size_bytes", "Size of response bodies.", c.size, requestLabels...)
	m.cache = f.counter("cache_requests_total", "Response cache verdicts: hit, miss, bypass or stale.", "stage", "route", "result")
	m.limits = f.counter("ratelimit_decisions_total", "Rate limit and quota decisions, by limiter: allowed, throttled, quota, fail-open or fail-closed.", "stage", "limiter", "decision")
	m.retries = f.counter("upstream_retries_total", "Extra upstream attempts.", "upstream")
	m.legs = f.counter("aggregate_leg_failures_total", "Failed legs of aggregate integrations.", "stage", "route")
	m.breaker = f.gauge("breaker_state", "Circuit breaker state: 0 closed, 1 half-open, 2 open.", "breaker")
	m.transitions = f.counter("breaker_transitions_total", "Circuit breaker state changes.", "breaker", "from", "to")
	m.targetUp = f.gauge("upstream_target_up", "Whether the health check considers an upstream target healthy (1) or not (0).", "upstream", "target")
	m.health = f.counter("upstream_health_transitions_total", "Upstream target health changes, by the state entered.", "upstream", "target", "state")
	m.jwks = f.counter("jwks_refreshes_total", "JSON Web Key Set refreshes, by issuer and result (success or failure).", "issuer", "result")
	m.storeErrors = f.counter("store_errors_total", "Errors of shared stores (Redis), by operation.", "op")
	if f.err != nil {
		f.undo()
		return nil, f.err
	}
	return m, nil
}

// factory creates and registers the collectors. After the first error it
// registers nothing more, and undo removes what it registered.
type factory struct {
	c    *metricsConfig
	done []prometheus.Collector
	err  error
}

func (f *factory) register(name string, c prometheus.Collector) {
	if f.err != nil {
		return
	}
	if err := f.c.reg.Register(c); err != nil {
		f.err = fmt.Errorf("observe: metric %s: %w", prometheus.BuildFQName(f.c.namespace, "", name), err)
		return
	}
	f.done = append(f.done, c)
}

func (f *factory) undo() {
	for _, c := range f.done {
		f.c.reg.Unregister(c)
	}
}

func (f *factory) counter(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: f.c.namespace, Name: name, Help: help, ConstLabels: f.c.labels}, labels)
	f.register(name, v)
	return v
}

func (f *factory) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: f.c.namespace, Name: name, Help: help, ConstLabels: f.c.labels}, labels)
	f.register(name, v)
	return v
}

func (f *factory) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: f.c.namespace, Name: name, Help: help, ConstLabels: f.c.labels, Buckets: buckets}, labels)
	f.register(name, v)
	return v
}

// checkBuckets rejects what prometheus.NewHistogramVec would panic on.
func checkBuckets(name string, b []float64) error {
	if len(b) == 0 {
		return fmt.Errorf("observe: %s: no buckets", name)
	}
	for i := 1; i < len(b); i++ {
		if !(b[i] > b[i-1]) {
			return fmt.Errorf("observe: %s: buckets must be strictly increasing, got %v after %v", name, b[i], b[i-1])
		}
	}
	return nil
}

// Handler returns the handler that serves the metrics in the Prometheus
// exposition format, to mount where the operator wants it (on a separate
// listener, or on the gateway as gw.GET("/metrics").Handle(m.Handler())).
// When the registerer given to [Registerer] is not a gatherer and no
// [Gatherer] was set, the handler's Validate method reports it and the
// handler answers 500.
func (m *Metrics) Handler() http.Handler {
	if m.gather == nil {
		return noGatherer{}
	}
	return promhttp.HandlerFor(m.gather, promhttp.HandlerOpts{})
}

// Gatherer returns what [Metrics.Handler] serves, or nil.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.gather }

var errNoGatherer = errors.New("observe: Metrics.Handler: the registerer is not a gatherer; set one with observe.Gatherer")

type noGatherer struct{}

func (noGatherer) Validate() error { return errNoGatherer }

func (noGatherer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	problem.Error(w, r, problem.Wrap(errNoGatherer, http.StatusInternalServerError, "The metrics endpoint is not configured."))
}

// Middleware returns middleware that records metrics for every request it
// sees. Install it with gw.Use so that it also counts requests that match
// no route. To record metrics, an access log and traces in one layer, use
// [New] instead.
func (m *Metrics) Middleware() func(http.Handler) http.Handler {
	return New(WithMetrics(m)).Handler
}

// validNamespace accepts "" and names every Prometheus version takes:
// [a-zA-Z_][a-zA-Z0-9_]*.
func validNamespace(ns string) bool {
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
