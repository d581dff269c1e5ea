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

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
)

func TestObserverAllParts(t *testing.T) {
	m, reg := newMetrics(t)
	l, buf := newLog(slog.LevelInfo)
	tracing, exp := newTracing(t)
	obs := observe.New(observe.WithMetrics(m), observe.WithAccessLog(l), observe.WithTracing(tracing), observe.WithServerTiming())
	gw, _ := testGateway(t, obs.Middleware())
	c := gatewaytest.NewClient(t, gw)
	res := c.Get("/users/5", "Traceparent", inboundTraceparent).ExpectStatus(200)
	if res.Header.Get("Server-Timing") == "" {
		t.Error("no Server-Timing")
	}
	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "/users/:id"}); got != 1 {
		t.Errorf("requests_total = %v", got)
	}
	recs := buf.records(t)
	spans := exp.GetSpans()
	if len(recs) != 1 || len(spans) != 1 {
		t.Fatalf("%d records, %d spans", len(recs), len(spans))
	}
	if recs[0]["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || spans[0].Name != "/users/:id" {
		t.Errorf("trace_id %v, span %q", recs[0]["trace_id"], spans[0].Name)
	}
}

func TestObserverOutsideGateway(t *testing.T) {
	m, reg := newMetrics(t)
	l, buf := newLog(slog.LevelInfo)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.PathValue("id"))
	})
	h := observe.New(observe.WithMetrics(m), observe.WithAccessLog(l)).Handler(mux)
	c := gatewaytest.NewClient(t, h)
	c.RemoteAddr = "198.51.100.7:4000"
	c.Get("/users/1").ExpectStatus(200)
	c.Get("/other").ExpectStatus(404)
	if got := metricValue(t, reg, "gateway_requests_total", map[string]string{"route": "unmatched", "stage": "", "status_class": "2xx"}); got != 1 {
		t.Errorf("2xx = %v", got)
	}
	recs := buf.records(t)
	if len(recs) != 2 || recs[0]["client_ip"] != "198.51.100.7" || recs[0]["bytes"] != 1.0 {
		t.Fatalf("records %v", recs)
	}
	if et, ok := recs[1]["error_type"]; ok {
		t.Errorf("a handler's own 404 is not a gateway error, got error_type %v", et)
	}
}

func TestObserverEmptyPassesThrough(t *testing.T) {
	h := observe.New().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	if res := gatewaytest.NewClient(t, h).Get("/"); res.Status != http.StatusAccepted || len(res.Header) != 0 {
		t.Fatalf("%d %v", res.Status, res.Header)
	}
}

// allocsPerRequest measures the steady-state allocations of one request
// through gw.
func allocsPerRequest(t *testing.T, gw *gateway.Gateway, path string) float64 {
	t.Helper()
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	w := &discardWriter{h: http.Header{}}
	serve := func() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
	serve()
	return testing.AllocsPerRun(200, serve)
}

func mockGateway(mw ...gateway.Middleware) *gateway.Gateway {
	gw := gateway.New()
	gw.Use(mw...)
	gw.GET("/users/:id").Mock(200, `{"id":42}`)
	return gw
}

// TestMetricsDoNotAllocate guards the metrics hot path: once a route's
// series exist, recording a request allocates nothing.
func TestMetricsDoNotAllocate(t *testing.T) {
	m, err := observe.NewMetrics(observe.Registerer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	base := allocsPerRequest(t, mockGateway(), "/users/42")
	with := allocsPerRequest(t, mockGateway(m.Middleware()), "/users/42")
	if with != base {
		t.Fatalf("metrics add %v allocations per request (%v -> %v)", with-base, base, with)
	}
}

// TestObserverAllocations bounds what the access log and tracing add.
func TestObserverAllocations(t *testing.T) {
	m, err := observe.NewMetrics(observe.Registerer(prometheus.NewRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	exp := tracetest.NewNoopExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	l := observe.NewAccessLog(slog.New(slog.NewJSONHandler(io.Discard, nil)))
	tr := observe.NewTracing(observe.TracerProvider(tp))
	base := allocsPerRequest(t, mockGateway(), "/users/42")
	tests := []struct {
		name string
		mw   gateway.Middleware
		max  float64
	}{
		{"access log", l.Middleware(), 2},
		{"server timing", observe.ServerTiming(), 3},
		{"tracing", tr.Middleware(), 8},
		{"everything", observe.New(observe.WithMetrics(m), observe.WithAccessLog(l), observe.WithTracing(tr), observe.WithServerTiming()).Middleware(), 14},
	}
	for _, tt := range tests {
		got := allocsPerRequest(t, mockGateway(tt.mw), "/users/42") - base
		t.Logf("%s: +%v allocations per request", tt.name, got)
		if got > tt.max {
			t.Errorf("%s adds %v allocations per request, want at most %v", tt.name, got, tt.max)
		}
	}
}

// discardWriter is a minimal ResponseWriter so measurements see the
// gateway, not httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func TestObserverAbortedResponse(t *testing.T) {
	l, buf := newLog(slog.LevelInfo)
	gw := gateway.New()
	gw.Use(l.Middleware())
	gw.GET("/stream").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler) // what a proxy does when the upstream breaks off
	})
	srv := httptest.NewServer(gw)
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/stream")
	if err == nil {
		_, err = io.ReadAll(res.Body)
		_ = res.Body.Close()
	}
	if err == nil {
		t.Fatal("the response should have been cut off")
	}
	srv.Client().CloseIdleConnections()
	recs := buf.records(t)
	if len(recs) != 1 || recs[0]["status"] != 200.0 || recs[0]["bytes"] != 7.0 {
		t.Fatalf("records %v", recs)
	}
	if et, ok := recs[0]["error_type"]; ok {
		t.Errorf("error_type %v for a response that had started", et)
	}
}
