package observe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
)

func newTracing(t *testing.T, opts ...observe.TracingOption) (*observe.Tracing, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return observe.NewTracing(append([]observe.TracingOption{observe.TracerProvider(tp)}, opts...)...), exp
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

const inboundTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func TestTracingServerAndClientSpans(t *testing.T) {
	tracing, exp := newTracing(t)
	up := gatewaytest.NewUpstream(t)
	up.Respond(200, `{"ok":true}`)
	users, err := proxy.NewUpstream("users", []string{up.URL}, proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.Use(tracing.Middleware())
	gw.GET("/users/:id").Proxy(gw.AddUpstream(users), "/users/:id")
	c := gatewaytest.NewClient(t, gw)
	c.Get("/users/42", "Traceparent", inboundTraceparent, "X-Request-Id", "req-9").ExpectStatus(200)

	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want a client and a server span", len(spans))
	}
	client, server := spans[0], spans[1]
	if server.SpanKind != trace.SpanKindServer || client.SpanKind != trace.SpanKindClient {
		t.Fatalf("kinds %v, %v", server.SpanKind, client.SpanKind)
	}
	if server.Name != "/users/:id" {
		t.Errorf("server span name %q, want the route template", server.Name)
	}
	if got := server.SpanContext.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("server span did not continue the inbound trace: %s", got)
	}
	if got := server.Parent.SpanID().String(); got != "00f067aa0ba902b7" || !server.Parent.IsRemote() {
		t.Errorf("server span parent %s", got)
	}
	if client.Parent.SpanID() != server.SpanContext.SpanID() {
		t.Error("client span is not a child of the server span")
	}
	sa := attrs(server)
	for k, want := range map[attribute.Key]any{
		"http.request.method": "GET", "http.route": "/users/:id", "url.path": "/users/42",
		"http.response.status_code": int64(200), "gateway.upstream": "users", "url.scheme": "http",
		"gateway.stage": gateway.DefaultStage, "client.address": "192.0.2.1",
		"gateway.request_id": nil, "server.address": nil, // only with AllAttributes
	} {
		if got := sa[k].AsInterface(); got != want {
			t.Errorf("server %s = %#v, want %#v", k, got, want)
		}
	}
	ca := attrs(client)
	if ca["http.response.status_code"].AsInt64() != 200 || ca["service.peer.name"].AsString() != "users" ||
		ca["url.full"].AsString() != up.URL+"/users/42" {
		t.Errorf("client attributes %v", ca)
	}
	rec, _ := up.Last()
	want := "00-4bf92f3577b34da6a3ce929d0e0e4736-" + client.SpanContext.SpanID().String() + "-01"
	if got := rec.Header.Get("Traceparent"); got != want {
		t.Errorf("upstream got traceparent %q, want %q", got, want)
	}
}

func TestTracingAllAttributes(t *testing.T) {
	tracing, exp := newTracing(t, observe.AllAttributes())
	gw, _ := testGateway(t, tracing.Middleware())
	gatewaytest.NewClient(t, gw).Get("/health", "X-Request-Id", "req-3", "User-Agent", "probe/1").ExpectStatus(200)
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	a := attrs(spans[0])
	for k, want := range map[attribute.Key]any{
		"gateway.request_id": "req-3", "network.protocol.version": "1.1", "server.address": "example.com",
		"user_agent.original": "probe/1", "http.response.body.size": int64(len(`{"ok":true}`)),
	} {
		if got := a[k].AsInterface(); got != want {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
}

func TestTracingStatuses(t *testing.T) {
	tracing, exp := newTracing(t)
	gw, up := testGateway(t, tracing.Middleware())
	c := gatewaytest.NewClient(t, gw)
	tests := []struct {
		path       string
		wantName   string
		wantStatus codes.Code
		wantError  string
	}{
		{"/health", "/health", codes.Unset, ""},
		{"/nope", "GET", codes.Unset, "RESOURCE_NOT_FOUND"},
		{"/limited", "/limited", codes.Unset, "THROTTLED"},
		{"/panic", "/panic", codes.Error, "DEFAULT_5XX"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			exp.Reset()
			c.Get(tt.path)
			spans := exp.GetSpans()
			if len(spans) != 1 {
				t.Fatalf("%d spans", len(spans))
			}
			s := spans[0]
			if s.Name != tt.wantName || s.Status.Code != tt.wantStatus {
				t.Errorf("name %q status %v, want %q %v", s.Name, s.Status.Code, tt.wantName, tt.wantStatus)
			}
			if got := attrs(s)["gateway.error_type"].AsString(); got != tt.wantError {
				t.Errorf("gateway.error_type %q, want %q", got, tt.wantError)
			}
			if s.Parent.IsValid() {
				t.Error("a request without traceparent starts a new trace")
			}
		})
	}
	if n := up.Count(); n != 0 {
		t.Fatalf("upstream called %d times", n)
	}
}

func TestTracingTransportErrors(t *testing.T) {
	tracing, exp := newTracing(t)
	up := gatewaytest.NewUpstream(t)
	up.Respond(503, "")
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	client := &http.Client{Transport: tracing.Transport(nil)}
	defer client.CloseIdleConnections()
	for _, base := range []string{up.URL, gone.URL} {
		req, _ := http.NewRequest("GET", base+"/x?token=secret", nil)
		if res, err := client.Do(req); err == nil {
			_ = res.Body.Close()
		}
	}
	spans := exp.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	for i, s := range spans {
		a := attrs(s)
		if s.Status.Code != codes.Error || a["error.type"].AsString() == "" {
			t.Errorf("span %d: status %v error.type %q", i, s.Status.Code, a["error.type"].AsString())
		}
		if u := a["url.full"].AsString(); u == "" || strings.Contains(u, "secret") {
			t.Errorf("span %d: url.full %q", i, u)
		}
	}
	if got := attrs(spans[0])["error.type"].AsString(); got != "503" {
		t.Errorf("first span error.type %q, want 503", got)
	}
	if got := attrs(spans[1])["error.type"].AsString(); got != "_OTHER" {
		t.Errorf("refused connection error.type %q", got)
	}
}

func TestTracingPropagator(t *testing.T) {
	tracing, _ := newTracing(t, observe.Propagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})))
	up := gatewaytest.NewUpstream(t)
	users, err := proxy.NewUpstream("users", []string{up.URL}, proxy.WithTransport(tracing.Transport(nil)))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.Use(tracing.Middleware())
	gw.GET("/users/:id").Proxy(gw.AddUpstream(users), "/users/:id")
	gatewaytest.NewClient(t, gw).Get("/users/1", "Traceparent", inboundTraceparent, "Baggage", "tenant=acme").ExpectStatus(200)
	rec, _ := up.Last()
	if got := rec.Header.Get("Baggage"); got != "tenant=acme" {
		t.Errorf("upstream got baggage %q", got)
	}
	if got := rec.Header.Get("Traceparent"); !strings.HasPrefix(got, "00-4bf92f3577b34da6a3ce929d0e0e4736-") {
		t.Errorf("upstream got traceparent %q", got)
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// TestTracingTransportCopiesForeignRequests checks that a request the
// transport does not own (an http.Client's) is sent with the trace context
// but left as it was.
func TestTracingTransportCopiesForeignRequests(t *testing.T) {
	tracing, exp := newTracing(t)
	up := gatewaytest.NewUpstream(t)
	client := &http.Client{Transport: tracing.Transport(proxy.NewTransport())}
	defer client.CloseIdleConnections()
	req, _ := http.NewRequest("GET", up.URL+"/x", nil)
	req.Header.Set("X-Caller", "1")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if len(req.Header) != 1 || req.Context() != context.Background() {
		t.Errorf("the caller's request was modified: %v", req.Header)
	}
	rec, _ := up.Last()
	spans := exp.GetSpans()
	if len(spans) != 1 || rec.Header.Get("Traceparent") == "" || rec.Header.Get("X-Caller") != "1" {
		t.Fatalf("%d spans, upstream header %v", len(spans), rec.Header)
	}
}

// TestTracingRouteMiddleware checks a server span started by route
// middleware, where the route is known from the start.
func TestTracingRouteMiddleware(t *testing.T) {
	tracing, exp := newTracing(t)
	gw := gateway.New()
	gw.GET("/users/:id").Use(tracing.Middleware()).Mock(200, `{}`)
	gatewaytest.NewClient(t, gw).Get("/users/7").ExpectStatus(200)
	spans := exp.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	a := attrs(spans[0])
	if spans[0].Name != "/users/:id" || a["http.route"].AsString() != "/users/:id" || a["client.address"].AsString() != "192.0.2.1" {
		t.Errorf("span %q, attributes %v", spans[0].Name, a)
	}
}
