package observe

import "github.com/prometheus/client_golang/prometheus"

// DefaultNamespace prefixes every metric name unless [Namespace] says
// otherwise.
const DefaultNamespace = "gateway"

// DefaultDurationBuckets are the upper bounds, in seconds, of the request
// and integration latency histograms.
var DefaultDurationBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// DefaultSizeBuckets are the upper bounds, in bytes, of the response size
// histogram: 64 B to 16 MiB in powers of four.
var DefaultSizeBuckets = prometheus.ExponentialBuckets(64, 4, 10)

// MetricsOption configures [NewMetrics].
type MetricsOption func(*metricsConfig)

type metricsConfig struct {
	reg       prometheus.Registerer
	gather    prometheus.Gatherer
	namespace string
	duration  []float64
	size      []float64
	labels    prometheus.Labels
}

// Registerer sets where the metrics are registered. If the registerer is
// also a [prometheus.Gatherer] (a *prometheus.Registry is),
// [Metrics.Handler] serves it. If not set, [NewMetrics] creates a private
// registry: nothing is registered globally unless the caller passes
// prometheus.DefaultRegisterer.
func Registerer(r prometheus.Registerer) MetricsOption {
	return func(c *metricsConfig) { c.reg = r }
}

// Gatherer sets what [Metrics.Handler] serves, when it is not the
// registerer itself (for example a prometheus.Gatherers combining several
// registries).
func Gatherer(g prometheus.Gatherer) MetricsOption {
	return func(c *metricsConfig) { c.gather = g }
}

// Namespace sets the prefix of every metric name. The default is
// [DefaultNamespace]; an empty namespace means no prefix.
func Namespace(ns string) MetricsOption {
	return func(c *metricsConfig) { c.namespace = ns }
}

// DurationBuckets sets the bucket upper bounds, in seconds, of the request
// and integration latency histograms. They must be strictly increasing. The
// default is [DefaultDurationBuckets].
func DurationBuckets(b ...float64) MetricsOption {
	return func(c *metricsConfig) { c.duration = b }
}

// SizeBuckets sets the bucket upper bounds, in bytes, of the response size
// histogram. They must be strictly increasing. The default is
// [DefaultSizeBuckets].
func SizeBuckets(b ...float64) MetricsOption {
	return func(c *metricsConfig) { c.size = b }
}

// ConstLabels adds labels with fixed values to every metric, for example
// the instance's region when several gateways share one registry.
func ConstLabels(l prometheus.Labels) MetricsOption {
	return func(c *metricsConfig) { c.labels = l }
}
