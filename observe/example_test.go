package observe_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
)

// get serves one request through h and returns the response.
func get(h http.Handler, path string, headers ...string) *http.Response {
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func Example() {
	m, err := observe.NewMetrics() // a private registry
	if err != nil {
		panic(err)
	}
	gw := gateway.New()
	gw.Use(m.Middleware())
	gw.GET("/users/:id").Mock(200, `{"id":42}`)
	gw.GET("/metrics").Handle(m.Handler())

	get(gw, "/users/42")
	get(gw, "/users/7")
	get(gw, "/no/such/route")

	sc := bufio.NewScanner(get(gw, "/metrics").Body)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "gateway_requests_total{") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// gateway_requests_total{method="GET",route="/users/:id",stage="$default",status_class="2xx"} 2
	// gateway_requests_total{method="GET",route="unmatched",stage="$default",status_class="4xx"} 1
}

func ExampleNewAccessLog() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey { // keep the output stable
				return slog.Attr{}
			}
			return a
		},
	}))
	logs := observe.NewAccessLog(logger, observe.Fields(observe.FieldRequestID|observe.FieldRoute|
		observe.FieldMethod|observe.FieldPath|observe.FieldStatus|observe.FieldErrorType))
	gw := gateway.New()
	gw.Use(logs.Middleware())
	gw.GET("/users/:id").Mock(200, `{"id":42}`)

	get(gw, "/users/42", "X-Request-Id", "req-1")
	get(gw, "/nope", "X-Request-Id", "req-2")
	// Output:
	// {"level":"INFO","msg":"request","request_id":"req-1","route":"/users/:id","method":"GET","path":"/users/42","status":200}
	// {"level":"INFO","msg":"request","request_id":"req-2","route":"unmatched","method":"GET","path":"/nope","status":404,"error_type":"RESOURCE_NOT_FOUND"}
}

func ExampleTracing_Transport() {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracing := observe.NewTracing(observe.TracerProvider(tp))

	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("upstream sees a traceparent:", r.Header.Get("Traceparent") != "")
	}))
	defer backend.Close()
	users, err := proxy.NewUpstream("users", []string{backend.URL},
		proxy.WithTransport(tracing.Transport(proxy.NewTransport())))
	if err != nil {
		panic(err)
	}
	gw := gateway.New()
	gw.Use(tracing.Middleware())
	gw.GET("/users/:id").Proxy(gw.AddUpstream(users), "/users/:id")

	get(gw, "/users/42", "Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	for _, s := range exporter.GetSpans() {
		fmt.Println(s.SpanKind, s.Name, s.SpanContext.TraceID())
	}
	// Output:
	// upstream sees a traceparent: true
	// client GET 4bf92f3577b34da6a3ce929d0e0e4736
	// server /users/:id 4bf92f3577b34da6a3ce929d0e0e4736
}

// At an edge facing the public, a caller's traceparent is not continued:
// the server span starts a trace of its own, linked to the caller's.
func ExampleUntrustedCallers() {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracing := observe.NewTracing(observe.TracerProvider(tp), observe.UntrustedCallers())
	gw := gateway.New()
	gw.Use(tracing.Middleware())
	gw.GET("/health").Mock(200, "ok")

	const callers = "4bf92f3577b34da6a3ce929d0e0e4736"
	get(gw, "/health", "Traceparent", "00-"+callers+"-00f067aa0ba902b7-01")
	s := exporter.GetSpans()[0]
	fmt.Println("continues the caller's trace:", s.SpanContext.TraceID().String() == callers)
	fmt.Println("links to it:", len(s.Links) == 1 && s.Links[0].SpanContext.TraceID().String() == callers)
	// Output:
	// continues the caller's trace: false
	// links to it: true
}

func ExampleWithServerTiming() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(1500 * time.Microsecond); return now }
	gw := gateway.New()
	gw.Use(observe.New(observe.WithServerTiming(), observe.Clock(clock)).Middleware())
	gw.GET("/health").Mock(200, "ok")

	fmt.Println(get(gw, "/health").Header.Get("Server-Timing"))
	// Output:
	// gateway;dur=1.5
}

// The metrics' event methods have the signatures of the blocks' callbacks,
// so they are passed as they are: breaker.Settings{OnStateChange:
// m.BreakerStateChanged}, proxy.OnHealthChange(m.HealthChanged),
// OnKeysRefresh: m.KeysRefreshed, and the stores' OnError(m.StoreError).
func ExampleMetrics_BreakerStateChanged() {
	m, err := observe.NewMetrics()
	if err != nil {
		panic(err)
	}
	m.BreakerStateChanged("users", "closed", "open")
	m.HealthChanged("users", "http://10.0.0.5:8080", false)

	sc := bufio.NewScanner(get(m.Handler(), "/metrics").Body)
	for sc.Scan() {
		if line := sc.Text(); !strings.HasPrefix(line, "#") {
			fmt.Println(line)
		}
	}
	// Output:
	// gateway_breaker_state{breaker="users"} 2
	// gateway_breaker_transitions_total{breaker="users",from="closed",to="open"} 1
	// gateway_upstream_health_transitions_total{state="unhealthy",target="http://10.0.0.5:8080",upstream="users"} 1
	// gateway_upstream_target_up{target="http://10.0.0.5:8080",upstream="users"} 0
}
