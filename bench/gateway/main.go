// Command gateway is the gateway under end-to-end measurement. It listens on
// $GW_ADDR (default 127.0.0.1:18086) and serves, through a gateway with all
// of its default layers on:
//
//	GET /users/:id            proxied to $UPSTREAM/users/:id
//	GET /cached/users/:id     the same, answered from a response cache (TTL 1 h)
//	GET /observed/users/:id   the /users/:id proxy route with metrics, a JSON
//	                          access log (to io.Discard) and tracing (every span
//	                          recorded, exported to nowhere) on
//	GET /spans-only/users/:id the /users/:id proxy route recording two bare
//	                          OpenTelemetry SDK spans per request (a server and
//	                          a client span, no attributes, no propagation) and
//	                          nothing else: the least that tracing which records
//	                          every span with the SDK can cost
//	GET /agg/:id              $UPSTREAM/users/:id (as "user") and $UPSTREAM/orders
//	                          (as "orders") called at once, merged into one JSON
//	                          object
//
// Every span is recorded unless $GW_TRACE_RATIO (0 to 1) sets the share of
// traces sampled at their root.
//
// It is built to be the CANDIDATE_CMD of the peers benchmark, which sets
// both variables and stops it with SIGTERM. With $GW_CPUPROFILE set, it
// writes a CPU profile to that file from start to stop.
package main

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

func main() {
	addr := envOr("GW_ADDR", "127.0.0.1:18086")
	upstream := envOr("UPSTREAM", "http://127.0.0.1:18081")

	gw := gateway.New()
	users := gw.Upstream("users", upstream)
	gw.GET("/users/:id").Proxy(users, "/users/:id")
	c, err := cache.New(cache.TTL(time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	gw.OnClose(c.Close)
	gw.GET("/cached/users/:id").Use(c.Handler).Proxy(users, "/users/:id")
	metrics, err := observe.NewMetrics()
	if err != nil {
		log.Fatal(err)
	}
	logs := observe.NewAccessLog(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}), sdktrace.WithSampler(sampler()))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracing := observe.NewTracing(observe.TracerProvider(tp))
	observedUsers, err := proxy.NewUpstream("users-observed", []string{upstream},
		proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())))
	if err != nil {
		log.Fatal(err)
	}
	gw.GET("/observed/users/:id").
		Use(observe.New(observe.WithMetrics(metrics), observe.WithAccessLog(logs), observe.WithTracing(tracing)).Middleware()).
		Proxy(gw.AddUpstream(observedUsers), "/users/:id")
	gw.GET("/spans-only/users/:id").Use(bareSpans(tp.Tracer("bench"))).Proxy(users, "/users/:id")
	orders := gw.Upstream("orders", upstream)
	gw.GET("/agg/:id").Handle(aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user"),
		aggregate.Call(orders, "/orders").Group("orders"),
	))
	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}

	if path := os.Getenv("GW_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log.Printf("gateway listening on %s -> %s", addr, upstream)
	if err := gw.Serve(ctx, addr); err != nil {
		log.Fatal(err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// sampler records every span, or the share of traces in $GW_TRACE_RATIO.
func sampler() sdktrace.Sampler {
	v := os.Getenv("GW_TRACE_RATIO")
	if v == "" {
		return sdktrace.ParentBased(sdktrace.AlwaysSample())
	}
	ratio, err := strconv.ParseFloat(v, 64)
	if err != nil || ratio < 0 || ratio > 1 {
		log.Fatalf("GW_TRACE_RATIO=%q: want a number from 0 to 1", v)
	}
	return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))
}

// bareSpans records a server span and a client span around every request,
// with nothing on them.
func bareSpans(tr trace.Tracer) gateway.Middleware {
	server := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	client := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, s := tr.Start(r.Context(), "GET /spans-only/users/:id", server...)
			_, c := tr.Start(ctx, "GET", client...)
			next.ServeHTTP(w, r)
			c.End()
			s.End()
		})
	}
}

// discardSpans is a span exporter that drops every span.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }
