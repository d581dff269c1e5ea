package observe_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
)

// benchUpstream is the JSON backend of the proxy benchmarks.
func benchUpstream(b *testing.B) *httptest.Server {
	body := []byte(`{"id":42,"name":"Jane Doe"}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	b.Cleanup(up.Close)
	return up
}

// plainProxy is the /users/:id proxy route with the gateway's defaults.
func plainProxy(b *testing.B) *gateway.Gateway {
	up := benchUpstream(b)
	gw := gateway.New()
	gw.GET("/users/:id").Proxy(gw.Upstream("users", up.URL), "/users/:id")
	return gw
}

// observedProxy is the same route with metrics, a JSON access log written
// to io.Discard and tracing (server and client spans, batched to an
// exporter that drops them) on, as in bench/gateway's /observed/users/:id.
func observedProxy(b *testing.B, timing bool) *gateway.Gateway {
	return observedProxyWith(b, benchParts{metrics: true, log: true, tracing: true, timing: timing})
}

// benchParts selects what an observed benchmark turns on.
type benchParts struct {
	metrics, log, tracing, timing bool
	sampler                       sdktrace.Sampler // nil: the SDK's default, every span recorded
}

func observedProxyWith(b *testing.B, p benchParts) *gateway.Gateway {
	up := benchUpstream(b)
	var opts []observe.Option
	if p.metrics {
		m, err := observe.NewMetrics(observe.Registerer(prometheus.NewRegistry()))
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, observe.WithMetrics(m))
	}
	if p.log {
		opts = append(opts, observe.WithAccessLog(observe.NewAccessLog(slog.New(slog.NewJSONHandler(io.Discard, nil)))))
	}
	var upOpts []proxy.UpstreamOption
	if p.tracing {
		tpOpts := []sdktrace.TracerProviderOption{sdktrace.WithBatcher(tracetest.NewNoopExporter())}
		if p.sampler != nil {
			tpOpts = append(tpOpts, sdktrace.WithSampler(p.sampler))
		}
		tp := sdktrace.NewTracerProvider(tpOpts...)
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		tracing := observe.NewTracing(observe.TracerProvider(tp))
		opts = append(opts, observe.WithTracing(tracing))
		upOpts = append(upOpts, proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())))
	}
	if p.timing {
		opts = append(opts, observe.WithServerTiming())
	}
	users, err := proxy.NewUpstream("users", []string{up.URL}, upOpts...)
	if err != nil {
		b.Fatal(err)
	}
	gw := gateway.New()
	gw.Use(observe.New(opts...).Middleware())
	gw.GET("/users/:id").Proxy(gw.AddUpstream(users), "/users/:id")
	return gw
}

func benchSerial(b *testing.B, gw *gateway.Gateway) { benchSerialPath(b, gw, "/users/42") }

func benchSerialPath(b *testing.B, gw *gateway.Gateway, path string) {
	if err := gw.Build(); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
}

func benchParallel(b *testing.B, gw *gateway.Gateway) {
	if err := gw.Build(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/users/42", nil)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			gw.ServeHTTP(w, req)
		}
	})
}

// BenchmarkPlainProxy is a proxied request through a real loopback
// upstream with the gateway's defaults only: the baseline.
func BenchmarkPlainProxy(b *testing.B) { benchSerial(b, plainProxy(b)) }

// BenchmarkObservedProxy is the same request with metrics, access log and
// tracing on.
func BenchmarkObservedProxy(b *testing.B) { benchSerial(b, observedProxy(b, false)) }

// BenchmarkObservedProxyServerTiming adds the Server-Timing header.
func BenchmarkObservedProxyServerTiming(b *testing.B) { benchSerial(b, observedProxy(b, true)) }

// BenchmarkObservedProxyParts turns the parts on one at a time, and
// tracing with one request in ten sampled.
func BenchmarkObservedProxyParts(b *testing.B) {
	for _, c := range []struct {
		name  string
		parts benchParts
	}{
		{"metrics", benchParts{metrics: true}},
		{"accesslog", benchParts{log: true}},
		{"tracing", benchParts{tracing: true}},
		{"servertiming", benchParts{timing: true}},
		{"all-sampled-10pct", benchParts{metrics: true, log: true, tracing: true,
			sampler: sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))}},
	} {
		b.Run(c.name, func(b *testing.B) { benchSerial(b, observedProxyWith(b, c.parts)) })
	}
}

// BenchmarkBareSpansProxy is BenchmarkPlainProxy with two bare spans
// recorded per request by the OpenTelemetry SDK (a server span around the
// route and a client span inside it, no attributes, no propagation, batched
// to an exporter that drops them) and nothing else: the floor under any
// tracing that records every span with the SDK, as bench/gateway's
// /spans-only/users/:id.
func BenchmarkBareSpansProxy(b *testing.B) {
	up := benchUpstream(b)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr := tp.Tracer("bench")
	server := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	client := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
	gw := gateway.New()
	gw.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, s := tr.Start(r.Context(), "GET /users/:id", server...)
			_, c := tr.Start(ctx, "GET", client...)
			next.ServeHTTP(w, r)
			c.End()
			s.End()
		})
	})
	gw.GET("/users/:id").Proxy(gw.Upstream("users", up.URL), "/users/:id")
	benchSerial(b, gw)
}

// BenchmarkPlainProxyParallel is BenchmarkPlainProxy from many goroutines.
func BenchmarkPlainProxyParallel(b *testing.B) { benchParallel(b, plainProxy(b)) }

// BenchmarkObservedProxyParallel is BenchmarkObservedProxy from many
// goroutines.
func BenchmarkObservedProxyParallel(b *testing.B) { benchParallel(b, observedProxy(b, false)) }
