// Command observability runs a gateway with metrics, JSON access logs,
// traces and the Server-Timing header on, drives a few requests through it,
// prints what each part recorded and exits.
//
//	go run ./examples/observability
//
// Two demo backends run in the same process: "users", which answers, and
// "flaky", which fails so that its circuit breaker opens. The access log
// and the spans (from OpenTelemetry's stdout exporter) are written to
// standard output as JSON lines as they happen; the metrics endpoint is
// printed once at the end, without the histogram buckets.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	users := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"`+strings.TrimPrefix(r.URL.Path, "/users/")+`","name":"Jane"}`)
	}))
	defer users.Close()
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database unavailable", http.StatusInternalServerError)
	}))
	defer flaky.Close()

	// Metrics: a private registry, served by the gateway itself.
	metrics, err := observe.NewMetrics()
	if err != nil {
		return err
	}
	// Access log: one JSON record per request.
	logs := observe.NewAccessLog(slog.New(slog.NewJSONHandler(os.Stdout, nil)))
	// Tracing: spans go to the stdout exporter as they end.
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(os.Stdout))
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracing := observe.NewTracing(observe.TracerProvider(tp))

	gw := gateway.New()
	defer gw.Close()
	gw.Use(observe.New(observe.WithMetrics(metrics), observe.WithAccessLog(logs),
		observe.WithTracing(tracing), observe.WithServerTiming()).Middleware())

	// Upstreams whose calls are traced (client spans, traceparent sent on).
	usersUp, err := proxy.NewUpstream("users", []string{users.URL},
		proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())))
	if err != nil {
		return err
	}
	flakyUp, err := proxy.NewUpstream("flaky", []string{flaky.URL},
		proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())),
		proxy.WithBreaker(breaker.Settings{ConsecutiveFailures: 2, OnStateChange: metrics.BreakerStateChanged}),
		proxy.OnHealthChange(metrics.HealthChanged))
	if err != nil {
		return err
	}
	gw.GET("/users/:id").Proxy(gw.AddUpstream(usersUp), "/users/:id")
	gw.GET("/reports/:id").Proxy(gw.AddUpstream(flakyUp), "/reports/:id")
	gw.GET("/metrics").Handle(metrics.Handler())
	if err := gw.Build(); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- gw.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}

	for _, req := range []struct{ path, traceparent string }{
		{"/users/42", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, // continues the caller's trace
		{"/users/7", ""},
		{"/reports/1", ""}, // the backend's 500
		{"/reports/2", ""}, // another 500: the breaker opens
		{"/reports/3", ""}, // 503 without calling the backend
		{"/no/such/route", ""},
	} {
		fmt.Printf("\n== GET %s\n", req.path)
		r, _ := http.NewRequest("GET", base+req.path, nil)
		if req.traceparent != "" {
			r.Header.Set("Traceparent", req.traceparent)
		}
		res, err := client.Do(r)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		fmt.Printf("== %d  Server-Timing: %s\n", res.StatusCode, res.Header.Get("Server-Timing"))
	}

	fmt.Printf("\n== GET /metrics (gateway_* series, histogram buckets left out)\n")
	res, err := client.Get(base + "/metrics")
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "gateway_") && !strings.Contains(line, "_bucket{") {
			fmt.Println(line)
		}
	}
	_ = res.Body.Close()

	client.CloseIdleConnections()
	stop()
	return <-served
}
