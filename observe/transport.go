package observe

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Transport returns a round tripper that records a client span for every
// request it sends through next, as a child of the span in the request's
// context (the server span of the gateway request being served), and
// injects the span's context into the outbound headers (traceparent) so
// the upstream joins the trace. The span ends when the response header
// arrives. If next is nil, http.DefaultTransport is used.
//
// Wrap an upstream's transport with it:
//
//	users, err := proxy.NewUpstream("users", targets,
//		proxy.WithTransport(tracing.Transport(proxy.DefaultTransport())))
func (t *Tracing) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{t: t, next: next}
}

type transport struct {
	t         *Tracing
	next      http.RoundTripper
	endpoints endpoints
}

// RoundTrip sends a copy of r whose header carries the trace context: a
// round tripper must not modify its request.
func (tr *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	return tr.roundTrip(r, false)
}

// RoundTripOwned is RoundTrip for a request the caller built for this call
// alone, as a reverse proxy does (it implements proxy.OwnedRoundTripper):
// the trace context is written into r's header and the client span into
// r's context, without copying r.
func (tr *transport) RoundTripOwned(r *http.Request) (*http.Response, error) {
	return tr.roundTrip(r, true)
}

func (tr *transport) roundTrip(r *http.Request, owned bool) (*http.Response, error) {
	t := tr.t
	method := methodLabel(r.Method)
	parent := r.Context()
	ctx, span := t.tracer.Start(parent, method, t.clientOpts...)
	out := r
	if owned {
		*r = *r.WithContext(ctx) // a copy on the stack, stored back into r
	} else {
		out = r.WithContext(ctx)
		out.Header = make(http.Header, len(r.Header)+2)
		for k, vs := range r.Header {
			out.Header[k] = vs // values are replaced, never appended to
		}
	}
	for _, f := range t.fields {
		// A caller's tracestate (or baggage) must not travel next to a
		// traceparent it does not belong to: the propagator writes only
		// what the span has.
		delete(out.Header, f)
	}
	t.prop.Inject(ctx, headerCarrier(out.Header))
	res, err := tr.next.RoundTrip(out)
	if span.IsRecording() {
		buf := getAttrs()
		a := append(buf[:0], semconv.HTTPRequestMethodKey.String(method))
		if u := r.URL; u.Scheme != "" && u.Host != "" {
			e := tr.endpoints.get(u)
			a = append(a, e.attrs[:e.n]...)
			a = append(a, semconv.URLFull(e.fullURL(u)))
		} else {
			a = append(a, semconv.ServerAddress(u.Hostname()), semconv.URLFull(redactedURL(u)))
			if p := u.Port(); p != "" {
				if n, err := strconv.Atoi(p); err == nil {
					a = append(a, semconv.ServerPort(n))
				}
			}
		}
		if info := reqctx.From(parent); info != nil && info.Upstream != "" {
			a = append(a, semconv.ServicePeerName(info.Upstream))
		}
		switch {
		case err != nil:
			a = append(a, semconv.ErrorTypeKey.String(errorKind(err)))
			span.SetStatus(codes.Error, "")
		case res.StatusCode >= 400:
			a = append(a, semconv.HTTPResponseStatusCode(res.StatusCode), semconv.ErrorTypeKey.String(strconv.Itoa(res.StatusCode)))
			span.SetStatus(codes.Error, "")
		default:
			a = append(a, semconv.HTTPResponseStatusCode(res.StatusCode))
		}
		span.SetAttributes(a...)
		putAttrs(buf, len(a))
	}
	span.End()
	return res, err
}

// errorKind classifies a transport error with a low-cardinality value for
// the error.type attribute.
func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "_OTHER"
}
