package observe_test

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
)

// tracedProxy is a gateway proxying /users/:id to a fake upstream with a
// server and a client span per request, recorded by a provider with the
// given sampler.
func tracedProxy(t *testing.T, sampler sdktrace.Sampler, opts ...observe.TracingOption) (*gatewaytest.Client, *gatewaytest.Upstream, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sampler))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tracing := observe.NewTracing(append([]observe.TracingOption{observe.TracerProvider(tp)}, opts...)...)
	up := gatewaytest.NewUpstream(t)
	up.Respond(200, `{"ok":true}`)
	users, err := proxy.NewUpstream("users", []string{up.URL}, proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.Use(tracing.Middleware())
	gw.GET("/users/:id").Proxy(gw.AddUpstream(users), "/users/:id")
	return gatewaytest.NewClient(t, gw), up, exp
}

func TestTracingUntrustedCallers(t *testing.T) {
	const inboundTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	rootsDropped := sdktrace.ParentBased(sdktrace.NeverSample())
	for _, c := range []struct {
		name      string
		untrusted bool
		sampler   sdktrace.Sampler
		spans     int  // recorded
		continued bool // the upstream's traceparent carries the inbound trace ID
	}{
		{"trusted caller forces sampling", false, rootsDropped, 2, true},
		{"untrusted caller cannot", true, rootsDropped, 0, false},
		{"untrusted caller is linked", true, sdktrace.AlwaysSample(), 2, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := []observe.TracingOption{observe.Propagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))}
			if c.untrusted {
				opts = append(opts, observe.UntrustedCallers())
			}
			client, up, exp := tracedProxy(t, c.sampler, opts...)
			client.Get("/users/42", "Traceparent", inboundTraceparent, "Baggage", "user=alice").ExpectStatus(200)
			spans := exp.GetSpans()
			if len(spans) != c.spans {
				t.Fatalf("%d spans recorded, want %d", len(spans), c.spans)
			}
			rec, _ := up.Last()
			tp := rec.Header.Get("Traceparent")
			if got := strings.Contains(tp, inboundTrace); got != c.continued || len(tp) != 55 {
				t.Errorf("upstream traceparent %q; continues the inbound trace: %v, want %v", tp, got, c.continued)
			}
			if got, want := rec.Header.Get("Baggage") != "", !c.untrusted; got != want {
				t.Errorf("upstream baggage %q; want the caller's passed on: %v", rec.Header.Get("Baggage"), want)
			}
			if !c.untrusted || c.spans == 0 {
				return
			}
			server := spans[1]
			if server.Parent.IsValid() || server.SpanContext.TraceID().String() == inboundTrace {
				t.Errorf("server span continues the caller's trace (parent %v)", server.Parent)
			}
			if len(server.Links) != 1 || server.Links[0].SpanContext.TraceID().String() != inboundTrace {
				t.Errorf("server span links %+v, want the caller's span context", server.Links)
			}
		})
	}
}

// TestTracingTracestateFollowsTraceparent checks that a caller's
// tracestate reaches the upstream only with the trace it belongs to.
func TestTracingTracestateFollowsTraceparent(t *testing.T) {
	for _, c := range []struct {
		name, traceparent, want string
	}{
		{"valid traceparent", inboundTraceparent, "vendor=abc"},
		{"malformed traceparent", "00-zz-00f067aa0ba902b7-01", ""},
		{"no traceparent", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			client, up, _ := tracedProxy(t, sdktrace.AlwaysSample())
			headers := []string{"Tracestate", "vendor=abc"}
			if c.traceparent != "" {
				headers = append(headers, "Traceparent", c.traceparent)
			}
			client.Get("/users/42", headers...).ExpectStatus(200)
			rec, _ := up.Last()
			if got := rec.Header.Get("Tracestate"); got != c.want {
				t.Errorf("upstream tracestate %q, want %q", got, c.want)
			}
			if len(rec.Header.Get("Traceparent")) != 55 {
				t.Errorf("upstream traceparent %q", rec.Header.Get("Traceparent"))
			}
		})
	}
}
