package observe

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// Field selects a member of access log records; combine them with |.
type Field uint32

// The access log fields. Optional fields are left out of a record when the
// request has no value for them (no upstream called, no cache, no
// authenticated caller, no error).
const (
	FieldRequestID          Field = 1 << iota // "request_id"
	FieldTraceID                              // "trace_id", when the request is traced (by this observer or an outer layer)
	FieldStage                                // "stage"
	FieldRoute                                // "route": the template, or UnmatchedRoute
	FieldMethod                               // "method"
	FieldPath                                 // "path": the normalised request path
	FieldStatus                               // "status"
	FieldBytes                                // "bytes": response body bytes
	FieldLatency                              // "latency_us": total time in microseconds
	FieldIntegrationLatency                   // "integration_latency_us": upstream time (an aggregate's slowest leg) in microseconds
	FieldUpstream                             // "upstream": the upstream's name
	FieldClientIP                             // "client_ip", resolved through trusted proxies
	FieldPrincipal                            // "principal": the caller's ID
	FieldAPIKeyID                             // "api_key_id": the ID of the API key, never the key
	FieldCache                                // "cache": hit, miss, bypass or stale
	FieldRateLimit                            // "rate_limit" and "limiter": the limit decision
	FieldRetries                              // "retries": extra upstream attempts
	FieldErrorType                            // "error_type", e.g. THROTTLED
)

// DefaultFields is every field.
const DefaultFields = FieldErrorType<<1 - 1

// LogOption configures [NewAccessLog].
type LogOption func(*AccessLog)

// Fields sets which fields the records carry. The default is
// [DefaultFields].
func Fields(f Field) LogOption { return func(l *AccessLog) { l.fields = f } }

// Level sets the level of records for requests answered below 500. The
// default is slog.LevelInfo.
func Level(lv slog.Level) LogOption { return func(l *AccessLog) { l.level = lv } }

// ErrorLevel sets the level of records for requests answered with a 5xx
// status. The default is slog.LevelError.
func ErrorLevel(lv slog.Level) LogOption { return func(l *AccessLog) { l.errLevel = lv } }

// Message sets the records' message. The default is "request".
func Message(msg string) LogOption { return func(l *AccessLog) { l.msg = msg } }

// SampleSuccesses keeps one record in every n for requests answered below
// 400; errors are always logged. Values below 2 log every request.
func SampleSuccesses(n int) LogOption {
	return func(l *AccessLog) { l.sample = uint64(max(n, 1)) }
}

// AccessLog writes one structured record per request through a
// [slog.Handler]. Install it with [AccessLog.Middleware] or [WithAccessLog].
type AccessLog struct {
	h        slog.Handler
	fields   Field
	level    slog.Level
	errLevel slog.Level
	msg      string
	sample   uint64
	seen     atomic.Uint64
}

// NewAccessLog returns an access log written to logger. If logger is nil,
// slog.Default() is used.
func NewAccessLog(logger *slog.Logger, opts ...LogOption) *AccessLog {
	if logger == nil {
		logger = slog.Default()
	}
	l := &AccessLog{h: logger.Handler(), fields: DefaultFields, level: slog.LevelInfo, errLevel: slog.LevelError, msg: "request", sample: 1}
	for _, o := range opts {
		if o != nil {
			o(l)
		}
	}
	return l
}

// Middleware returns middleware that writes one record per request; see
// [Observer.Handler] for where to install it.
func (l *AccessLog) Middleware() func(http.Handler) http.Handler {
	return New(WithAccessLog(l)).Handler
}

// maxAttrs is the number of attributes a record can have.
const maxAttrs = 20

// record writes the record of one request.
func (l *AccessLog) record(x *exchange, o *outcome, end time.Time) {
	level := l.level
	switch {
	case o.status >= 500:
		level = l.errLevel
	case o.status < 400 && l.sample > 1 && l.seen.Add(1)%l.sample != 1:
		return
	}
	ctx := x.r.Context()
	if !l.h.Enabled(ctx, level) {
		return
	}
	info, f := o.info, l.fields
	var buf [maxAttrs]slog.Attr
	a := buf[:0]
	if f&FieldRequestID != 0 {
		a = append(a, slog.String("request_id", info.RequestID))
	}
	if f&FieldTraceID != 0 {
		span := x.span
		if span == nil {
			// Tracing may be a layer of its own, outside this one.
			span = trace.SpanFromContext(ctx)
		}
		if sc := span.SpanContext(); sc.HasTraceID() {
			a = append(a, slog.String("trace_id", sc.TraceID().String()))
		}
	}
	if f&FieldStage != 0 {
		a = append(a, slog.String("stage", info.Stage))
	}
	if f&FieldRoute != 0 {
		a = append(a, slog.String("route", o.route))
	}
	if f&FieldMethod != 0 {
		a = append(a, slog.String("method", x.method))
	}
	if f&FieldPath != 0 {
		a = append(a, slog.String("path", x.path))
	}
	if f&FieldStatus != 0 {
		a = append(a, slog.Int("status", o.status))
	}
	if f&FieldBytes != 0 {
		a = append(a, slog.Int64("bytes", o.bytes))
	}
	if f&FieldLatency != 0 {
		a = append(a, slog.Int64("latency_us", o.elapsed.Microseconds()))
	}
	if f&FieldIntegrationLatency != 0 && integrated(info) {
		a = append(a, slog.Int64("integration_latency_us", info.UpstreamLatency.Microseconds()))
	}
	if f&FieldUpstream != 0 && info.Upstream != "" {
		a = append(a, slog.String("upstream", info.Upstream))
	}
	if f&FieldClientIP != 0 {
		if ip := x.clientIP(); ip != "" {
			a = append(a, slog.String("client_ip", ip))
		}
	}
	if p := info.Principal; p != nil {
		if f&FieldPrincipal != 0 && p.ID != "" {
			a = append(a, slog.String("principal", p.ID))
		}
		if f&FieldAPIKeyID != 0 && p.KeyID != "" {
			a = append(a, slog.String("api_key_id", p.KeyID))
		}
	}
	if f&FieldCache != 0 && info.CacheStatus != "" {
		a = append(a, slog.String("cache", info.CacheStatus))
	}
	if f&FieldRateLimit != 0 && info.LimitDecision != "" {
		a = append(a, slog.String("rate_limit", info.LimitDecision))
		if info.Limiter != "" {
			a = append(a, slog.String("limiter", info.Limiter))
		}
	}
	if f&FieldRetries != 0 && info.Retries > 0 {
		a = append(a, slog.Int("retries", info.Retries))
	}
	if f&FieldErrorType != 0 && o.errType != "" {
		a = append(a, slog.String("error_type", o.errType))
	}
	rec := slog.NewRecord(end, level, l.msg, 0)
	rec.AddAttrs(a...)
	_ = l.h.Handle(ctx, rec)
}
