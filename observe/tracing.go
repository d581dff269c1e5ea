package observe

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// ScopeName is the instrumentation scope of the tracer the observe package
// creates its spans with.
const ScopeName = "github.com/gatewaykit/gateway/observe"

// Gateway-specific span attributes, next to the semantic conventions'.
const (
	AttrStage     = attribute.Key("gateway.stage")
	AttrRequestID = attribute.Key("gateway.request_id")
	AttrUpstream  = attribute.Key("gateway.upstream")
	AttrCache     = attribute.Key("gateway.cache")
	AttrRateLimit = attribute.Key("gateway.rate_limit")
	AttrRetries   = attribute.Key("gateway.retries")
	AttrErrorType = attribute.Key("gateway.error_type")
)

// TracingOption configures [NewTracing].
type TracingOption func(*tracingConfig)

type tracingConfig struct {
	tp        trace.TracerProvider
	prop      propagation.TextMapPropagator
	all       bool
	untrusted bool
}

// TracerProvider sets where spans go. If nil or not set, the provider
// registered with otel.SetTracerProvider is used.
func TracerProvider(tp trace.TracerProvider) TracingOption {
	return func(c *tracingConfig) { c.tp = tp }
}

// Propagator sets how trace context is read from inbound requests and
// written to upstream requests. If nil or not set, W3C Trace Context
// (traceparent, tracestate) is used.
func Propagator(p propagation.TextMapPropagator) TracingOption {
	return func(c *tracingConfig) { c.prop = p }
}

// AllAttributes adds the recommended attributes of the HTTP semantic
// conventions that are left out by default to keep spans cheap:
// server.address, network.protocol.version, user_agent.original and
// http.response.body.size on server spans, plus gateway.request_id.
// By default server spans carry http.request.method, url.path, url.scheme,
// http.route, http.response.status_code, client.address, error.type and
// the gateway.* attributes of the request's annotations, and client spans
// http.request.method, url.full (without query), server.address,
// server.port, service.peer.name and http.response.status_code.
func AllAttributes() TracingOption {
	return func(c *tracingConfig) { c.all = true }
}

// UntrustedCallers starts every server span as the root of a new trace
// instead of continuing the caller's: the caller's trace context, when it
// sends a valid one, becomes a link of the span. Callers then cannot choose
// the trace ID or force the sampler's hand (a parent-based sampler follows
// a caller's "sampled" flag), nor have the propagator pass their baggage
// on. Use it on a gateway
// facing clients that are not part of the traced system.
func UntrustedCallers() TracingOption {
	return func(c *tracingConfig) { c.untrusted = true }
}

// Tracing records OpenTelemetry spans: a server span per request (with
// [Tracing.Middleware] or [WithTracing]) and a client span per upstream
// call (with [Tracing.Transport]).
type Tracing struct {
	tracer     trace.Tracer
	prop       propagation.TextMapPropagator
	fields     []string // the header names prop writes, canonical
	all        bool
	untrusted  bool
	serverOpts []trace.SpanStartOption
	clientOpts []trace.SpanStartOption
}

// NewTracing returns tracing with the given options.
func NewTracing(opts ...TracingOption) *Tracing {
	var c tracingConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.prop == nil {
		c.prop = propagation.TraceContext{}
	}
	var fields []string
	for _, f := range c.prop.Fields() {
		fields = append(fields, canonical(f))
	}
	return &Tracing{
		tracer:     c.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		prop:       c.prop,
		fields:     fields,
		all:        c.all,
		untrusted:  c.untrusted,
		serverOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)},
		clientOpts: []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)},
	}
}

// Middleware returns middleware that records a server span per request;
// see [Observer.Handler] for where to install it.
func (t *Tracing) Middleware() func(http.Handler) http.Handler {
	return New(WithTracing(t)).Handler
}

// start extracts the caller's trace context from r and starts the server
// span in ctx (r's context, perhaps with more values). The span is named
// after the route when it is already known (the observer is route
// middleware), else after the method until the route is known. Its
// attributes are all set when it ends, in one call.
func (t *Tracing) start(ctx context.Context, r *http.Request, info *reqctx.Info) (context.Context, trace.Span, string) {
	name := info.Route
	if name == "" {
		name = methodLabel(r.Method)
	}
	opts := t.serverOpts
	if t.untrusted {
		// The caller's context is only read for the link; the span's
		// parent is whatever span ctx already holds (a layer in process).
		if sc := trace.SpanContextFromContext(t.prop.Extract(context.Background(), headerCarrier(r.Header))); sc.IsValid() {
			opts = []trace.SpanStartOption{opts[0], trace.WithLinks(trace.Link{SpanContext: sc})}
		}
	} else {
		ctx = t.prop.Extract(ctx, headerCarrier(r.Header))
	}
	ctx, span := t.tracer.Start(ctx, name, opts...)
	return ctx, span, name
}

// end names the span after the route, records the outcome and ends it.
// Following the HTTP semantic conventions, a server span is an error only
// for 5xx statuses.
func (t *Tracing) end(x *exchange, o *outcome) {
	span, r, info := x.span, x.r, o.info
	if info.Route != "" && info.Route != x.spanName {
		span.SetName(info.Route)
	}
	if span.IsRecording() {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		buf := getAttrs()
		a := append(buf[:0],
			semconv.HTTPRequestMethodKey.String(o.method),
			semconv.URLPath(x.path),
			semconv.URLScheme(scheme),
			semconv.HTTPResponseStatusCode(o.status),
		)
		if t.all {
			a = append(a,
				semconv.ServerAddress(hostOnly(r.Host)),
				semconv.NetworkProtocolVersion(protocolVersion(r)),
				semconv.HTTPResponseBodySize(int(o.bytes)),
				AttrRequestID.String(info.RequestID),
			)
			if ua := r.UserAgent(); ua != "" {
				a = append(a, semconv.UserAgentOriginal(ua))
			}
		}
		if info.Route != "" {
			a = append(a, semconv.HTTPRoute(info.Route))
		}
		if ip := x.clientIP(); ip != "" {
			a = append(a, semconv.ClientAddress(ip))
		}
		if info.Stage != "" {
			a = append(a, AttrStage.String(info.Stage))
		}
		if info.Upstream != "" {
			a = append(a, AttrUpstream.String(info.Upstream))
		}
		if info.CacheStatus != "" {
			a = append(a, AttrCache.String(info.CacheStatus))
		}
		if info.LimitDecision != "" {
			a = append(a, AttrRateLimit.String(info.LimitDecision))
		}
		if info.Retries > 0 {
			a = append(a, AttrRetries.Int(info.Retries))
		}
		if o.errType != "" {
			a = append(a, AttrErrorType.String(o.errType))
			if o.status >= 500 {
				a = append(a, semconv.ErrorTypeKey.String(o.errType))
			}
		}
		span.SetAttributes(a...)
		putAttrs(buf, len(a))
		if o.status >= 500 {
			span.SetStatus(codes.Error, "")
		}
	}
	span.End()
}

// protocolVersion returns the HTTP version as the semantic conventions
// write it ("1.1", "2"), without allocating.
func protocolVersion(r *http.Request) string {
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		return "1.1"
	case r.ProtoMajor == 2:
		return "2"
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		return "1.0"
	case r.ProtoMajor == 3:
		return "3"
	}
	return ""
}

// hostOnly returns host without its port, and an IPv6 literal without its
// brackets.
func hostOnly(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.IndexByte(host[i:], ']') < 0 {
		host = host[:i]
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host
}
