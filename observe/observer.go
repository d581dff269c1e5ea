package observe

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/gatewaykit/gateway/internal/clientip"
	"github.com/gatewaykit/gateway/internal/hdrname"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// StatusClientClosed is the status recorded (not sent) for a request whose
// client went away before anything was answered, as nginx logs it: it
// counts as a 4xx in metrics and is no error of the gateway's.
const StatusClientClosed = 499

// Observer is one layer that records each request into any of metrics, an
// access log and traces, and may add a Server-Timing header. Each part is
// optional; together they share one clock reading and one look at the
// request's annotations. Build it with [New].
type Observer struct {
	metrics *Metrics
	log     *AccessLog
	tracing *Tracing
	timing  bool
	now     func() time.Time
}

// Option configures an [Observer].
type Option func(*Observer)

// WithMetrics records Prometheus metrics for every request.
func WithMetrics(m *Metrics) Option { return func(o *Observer) { o.metrics = m } }

// WithAccessLog writes one access log record per request.
func WithAccessLog(l *AccessLog) Option { return func(o *Observer) { o.log = l } }

// WithTracing records a server span per request.
func WithTracing(t *Tracing) Option { return func(o *Observer) { o.tracing = t } }

// WithServerTiming adds a Server-Timing header to every response: the time
// spent in the gateway ("gateway") and, when an upstream was called,
// waiting for it ("upstream"), in milliseconds. Either side's time is
// measured up to the moment the response header is written.
func WithServerTiming() Option { return func(o *Observer) { o.timing = true } }

// Clock sets the clock that measures latency and stamps log records. If
// nil, time.Now is used.
func Clock(now func() time.Time) Option {
	return func(o *Observer) {
		if now != nil {
			o.now = now
		}
	}
}

// New returns an observer with the given parts. With none it passes
// requests through untouched.
func New(opts ...Option) *Observer {
	o := &Observer{now: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// ServerTiming returns middleware that only adds the Server-Timing header;
// see [WithServerTiming].
func ServerTiming() func(http.Handler) http.Handler {
	return New(WithServerTiming()).Handler
}

// Middleware returns [Observer.Handler] as a middleware function, for
// gw.Use(obs.Middleware()).
func (o *Observer) Middleware() func(http.Handler) http.Handler { return o.Handler }

// Handler wraps next so that every request through it is observed. In a
// gateway it belongs in gw.Use, which runs before routing: it then sees
// every request, including those that match no route, and reads what the
// router and the blocks recorded once next returns. Requests the gateway
// refuses before choosing a stage (a malformed path, a stage that is not
// deployed) pass through it too, with no stage and no route. Used on
// another router, it records
// the route as [UnmatchedRoute] and the client address as the TCP peer.
func (o *Observer) Handler(next http.Handler) http.Handler {
	return &observed{o: o, next: next}
}

type observed struct {
	o    *Observer
	next http.Handler
}

// exchange is what the observer keeps about a request while it is served.
type exchange struct {
	r        *http.Request
	info     *reqctx.Info
	rw       *respwriter.Writer
	start    time.Time
	method   string
	path     string
	span     trace.Span
	spanName string // the name the span was started with
	ip       string // the client address, once formatted
	ipDone   bool
	done     bool
}

// clientIP returns the client address (resolved through trusted proxies),
// formatted once for the access log and the span; "" when unknown.
func (x *exchange) clientIP() string {
	if !x.ipDone {
		x.ipDone = true
		ip := x.info.ClientIP
		if !ip.IsValid() {
			ip = clientip.From(x.r)
		}
		if ip.IsValid() {
			x.ip = ip.String()
		}
	}
	return x.ip
}

func (h *observed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o := h.o
	x := exchange{start: o.now(), method: r.Method, path: r.URL.Path, rw: respwriter.Wrap(w)}
	ctx := r.Context()
	x.info = reqctx.From(ctx)
	if x.info == nil {
		x.info = &reqctx.Info{}
		ctx = reqctx.With(ctx, x.info)
	}
	if o.tracing != nil {
		ctx, x.span, x.spanName = o.tracing.start(ctx, r, x.info)
	}
	if ctx != r.Context() {
		r = r.WithContext(ctx) // one copy of the request for both values
	}
	x.r = r
	var out http.ResponseWriter = x.rw
	if o.timing {
		out = newTimed(x.rw, x.info, x.start, o.now)
	}
	defer o.finish(&x)
	h.next.ServeHTTP(out, r)
	x.done = true
}

// finish records the request once the chain has returned, or while a panic
// unwinds through it (the gateway's recovery, outside, then answers 500).
func (o *Observer) finish(x *exchange) {
	end := o.now()
	status := x.rw.Status()
	if !x.done && !x.rw.Started() {
		status = http.StatusInternalServerError
		x.info.SetError(problem.TypeDefault5XX)
	}
	if status == 0 {
		switch {
		case errors.Is(x.r.Context().Err(), context.Canceled):
			// Nothing was answered because the client left first, an
			// upgrade included: a hijacked connection no longer cancels
			// the request's context.
			status = StatusClientClosed
		case hdrname.IsUpgrade(x.r.Header):
			// A reverse proxy switching protocols hijacks the connection
			// and writes the 101 to it itself.
			status = http.StatusSwitchingProtocols
		default:
			status = http.StatusOK // net/http answers 200 to a handler that wrote nothing
		}
	}
	out := outcome{
		info:    x.info,
		method:  methodLabel(x.method),
		route:   routeLabel(x.info.Route),
		status:  status,
		bytes:   x.rw.Written(),
		elapsed: end.Sub(x.start),
		errType: x.info.ErrorType,
	}
	if o.metrics != nil {
		o.metrics.record(&out)
	}
	if o.log != nil {
		o.log.record(x, &out, end)
	}
	if x.span != nil {
		o.tracing.end(x, &out)
	}
}
