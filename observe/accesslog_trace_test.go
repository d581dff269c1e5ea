package observe_test

import (
	"log/slog"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/observe"
)

// TestAccessLogTraceIDFromOuterTracing installs tracing and the access log
// as separate layers: the record still names the trace the request is in.
func TestAccessLogTraceIDFromOuterTracing(t *testing.T) {
	tests := []struct {
		name   string
		layers func(*observe.Tracing, *observe.AccessLog) []gateway.Middleware
	}{
		{"separate layers", func(tr *observe.Tracing, l *observe.AccessLog) []gateway.Middleware {
			return []gateway.Middleware{tr.Middleware(), l.Middleware()}
		}},
		{"one observer", func(tr *observe.Tracing, l *observe.AccessLog) []gateway.Middleware {
			return []gateway.Middleware{observe.New(observe.WithTracing(tr), observe.WithAccessLog(l)).Middleware()}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tracing, exp := newTracing(t)
			l, buf := newLog(slog.LevelInfo)
			gw := gateway.New()
			gw.Use(tt.layers(tracing, l)...)
			gw.GET("/health").Mock(200, "ok")
			gatewaytest.NewClient(t, gw).Get("/health", "Traceparent", inboundTraceparent).ExpectStatus(200)
			recs, spans := buf.records(t), exp.GetSpans()
			if len(recs) != 1 || len(spans) != 1 {
				t.Fatalf("%d records, %d spans", len(recs), len(spans))
			}
			if got, want := recs[0]["trace_id"], spans[0].SpanContext.TraceID().String(); got != want {
				t.Fatalf("trace_id %v, want %s", got, want)
			}
		})
	}
}
