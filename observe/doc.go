// Package observe records what a gateway does: Prometheus metrics, one
// structured access log record per request (log/slog), OpenTelemetry
// traces, and an optional Server-Timing response header. The parts are
// independent; one [Observer] combines any of them in a single layer.
//
// # Installing
//
// The observer belongs in the gateway-wide middleware, which runs before
// routing, so it sees every request, including those that match no route:
//
//	m, err := observe.NewMetrics()                     // a private registry
//	logs := observe.NewAccessLog(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
//	tracing := observe.NewTracing(observe.TracerProvider(tp))
//	gw.Use(observe.New(observe.WithMetrics(m), observe.WithAccessLog(logs),
//		observe.WithTracing(tracing), observe.WithServerTiming()).Middleware())
//	gw.GET("/metrics").Handle(m.Handler())
//
// Each part also has a Middleware method of its own ([Metrics.Middleware],
// [AccessLog.Middleware], [Tracing.Middleware], [ServerTiming]); one
// [Observer] with several parts costs less than stacking them.
//
// The observer reads the request's facts once the handler chain has
// returned: the route template the router matched, the stage, and the
// annotations the blocks left (upstream and integration latency, cache
// verdict, rate limit decision and limiter, retries, failed aggregate legs,
// error type, authenticated principal). Outside a gateway it still works,
// with the route recorded as [UnmatchedRoute].
//
// # Metrics
//
// [NewMetrics] registers its collectors with the registerer given by
// [Registerer], or a new private registry; nothing is registered globally
// unless asked. Request metrics are labelled by stage, route template
// (never the raw path, so cardinality stays bounded), method (unknown
// methods become "_OTHER") and status class:
//
//	gateway_requests_total{stage,route,method,status_class}
//	gateway_request_errors_total{stage,route,method,status_class,error_type}   4xx and 5xx
//	gateway_request_duration_seconds{stage,route,method,status_class}          histogram
//	gateway_integration_duration_seconds{stage,route,method,upstream}          histogram
//	gateway_response_size_bytes{stage,route,method,status_class}               histogram
//	gateway_cache_requests_total{stage,route,result}
//	gateway_ratelimit_decisions_total{stage,limiter,decision}
//	gateway_upstream_retries_total{upstream}
//	gateway_aggregate_leg_failures_total{stage,route}
//
// The integration latency of an aggregate is that of its slowest leg,
// recorded with an empty upstream label.
//
// Background events arrive through methods whose signatures match the
// blocks' callbacks: [Metrics.BreakerStateChanged] (gateway_breaker_state,
// gateway_breaker_transitions_total), [Metrics.HealthChanged]
// (gateway_upstream_target_up, gateway_upstream_health_transitions_total),
// [Metrics.KeysRefreshed] (gateway_jwks_refreshes_total) and
// [Metrics.StoreError] (gateway_store_errors_total). [Metrics.Handler]
// serves the registry.
//
// # Access log
//
// [AccessLog] writes one record per request with the fields chosen by
// [Fields]: request and trace IDs, stage, route, method, path, status,
// bytes, latency and integration latency in microseconds, upstream, client
// address (resolved through the gateway's trusted proxies), principal and
// API key ID (never the key), cache verdict, rate limit decision, retries
// and error type. 5xx records use [ErrorLevel]; [SampleSuccesses] thins
// out the successful ones.
//
// # Tracing
//
// [Tracing] starts a server span per request, continuing the caller's
// trace from its W3C traceparent header. The span is named after the route
// template once routing has matched one, and carries the HTTP semantic
// convention attributes plus gateway.* attributes for the annotations.
// [Tracing.Transport] wraps an upstream's transport to record a client span
// per upstream call and pass the trace context on; under the gateway's
// reverse proxy it writes the trace context into the proxy's own copy of
// the request (the transport implements proxy.OwnedRoundTripper) rather
// than copying the request once more. The trace context headers a caller
// sent are never passed on as they came: the upstream gets the client
// span's. A gateway facing callers outside the traced system should use
// [UntrustedCallers], so that they can neither pick trace IDs nor force a
// parent-based sampler to record their requests. Spans go to whatever exporter the
// [trace.TracerProvider] given to [TracerProvider] has.
//
// # Server-Timing
//
// [WithServerTiming] adds a header such as
// "Server-Timing: gateway;dur=0.41, upstream;dur=12.03" (milliseconds) to
// every response the handlers write (not to a 101 that a reverse proxy
// writes on a hijacked connection), just before its header is sent, so a
// browser's developer tools show how much of the latency the gateway added.
//
// # Cost
//
// Metrics allocate nothing per request once a route's series exist: the
// children of every label set are resolved once and cached. The access log
// costs what its slog.Handler costs to format a record. Tracing costs what
// the OpenTelemetry SDK takes to record two spans (server and client), by
// far the largest share: on one loaded core, two spans with nothing on them
// already take about a tenth of a proxied route's throughput (see
// BenchmarkBareSpansProxy and the README's benchmark section). At high request rates, sample with the tracer
// provider's sampler (for example sdktrace.ParentBased with
// sdktrace.TraceIDRatioBased), which keeps propagating trace context for
// the requests it does not record.
package observe
