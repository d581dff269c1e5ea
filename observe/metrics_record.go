package observe

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// The keys of the pre-resolved children. Their fields are label values
// that are already bounded: a stage name, a route template, a standard
// method, a status class, an upstream name.
type (
	seriesKey   struct{ stage, route, method, class string }
	errorKey    struct{ stage, route, method, class, errType string }
	upstreamKey struct{ stage, route, method, upstream string }
	cacheKey    struct{ stage, route, result string }
	limitKey    struct{ stage, limiter, decision string }
	legKey      struct{ stage, route string }
)

// series are the children recorded for every request of one label set.
type series struct {
	requests prometheus.Counter
	duration prometheus.Observer
	size     prometheus.Observer
}

// outcome is what one request did, as the observer saw it.
type outcome struct {
	info    *reqctx.Info
	method  string // the bounded method label
	route   string // the route label
	status  int
	errType string // info.ErrorType: empty when the integration answered
	bytes   int64
	elapsed time.Duration
}

// record adds one request to the metrics. In the steady state it does not
// allocate: every child is looked up in a copy-on-write map.
func (m *Metrics) record(o *outcome) {
	info := o.info
	class := statusClass(o.status)
	k := seriesKey{info.Stage, o.route, o.method, class}
	s, ok := m.series.load(k)
	if !ok {
		s = m.series.store(k, &series{
			requests: m.requests.WithLabelValues(validLabels(k.stage, k.route, k.method, k.class)...),
			duration: m.duration.WithLabelValues(validLabels(k.stage, k.route, k.method, k.class)...),
			size:     m.size.WithLabelValues(validLabels(k.stage, k.route, k.method, k.class)...),
		})
	}
	s.requests.Inc()
	s.duration.Observe(o.elapsed.Seconds())
	s.size.Observe(float64(o.bytes))

	if o.status >= 400 {
		ek := errorKey{k.stage, k.route, k.method, class, o.errType}
		c, ok := m.errSeries.load(ek)
		if !ok {
			c = m.errSeries.store(ek, m.errors.WithLabelValues(validLabels(ek.stage, ek.route, ek.method, ek.class, ek.errType)...))
		}
		c.Inc()
	}
	if integrated(info) {
		uk := upstreamKey{k.stage, k.route, k.method, info.Upstream}
		h, ok := m.upSeries.load(uk)
		if !ok {
			h = m.upSeries.store(uk, m.integration.WithLabelValues(validLabels(uk.stage, uk.route, uk.method, uk.upstream)...))
		}
		h.Observe(info.UpstreamLatency.Seconds())
	}
	if info.Retries > 0 && info.Upstream != "" {
		c, ok := m.retrySeries.load(info.Upstream)
		if !ok {
			c = m.retrySeries.store(info.Upstream, m.retries.WithLabelValues(labelValue(info.Upstream)))
		}
		c.Add(float64(info.Retries))
	}
	if info.CacheStatus != "" {
		ck := cacheKey{k.stage, k.route, info.CacheStatus}
		c, ok := m.cacheSeries.load(ck)
		if !ok {
			c = m.cacheSeries.store(ck, m.cache.WithLabelValues(validLabels(ck.stage, ck.route, ck.result)...))
		}
		c.Inc()
	}
	if info.LimitDecision != "" {
		lk := limitKey{k.stage, info.Limiter, info.LimitDecision}
		c, ok := m.limSeries.load(lk)
		if !ok {
			c = m.limSeries.store(lk, m.limits.WithLabelValues(validLabels(lk.stage, lk.limiter, lk.decision)...))
		}
		c.Inc()
	}
	if info.LegFailures > 0 {
		lk := legKey{k.stage, k.route}
		c, ok := m.legSeries.load(lk)
		if !ok {
			c = m.legSeries.store(lk, m.legs.WithLabelValues(validLabels(lk.stage, lk.route)...))
		}
		c.Add(float64(info.LegFailures))
	}
}

// integrated reports whether the request waited on an integration: a
// proxied upstream (named in info.Upstream) or the legs of an aggregate,
// which record the slowest leg's latency but no single upstream.
func integrated(info *reqctx.Info) bool {
	return info.Upstream != "" || info.UpstreamLatency > 0
}
