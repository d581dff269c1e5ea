package observe_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/observe"
	"github.com/gatewaykit/gateway/proxy"
)

// cannedUpstream answers every request at once with a small JSON body,
// without a network, so the overhead benchmarks measure the gateway alone.
type cannedUpstream struct{}

var cannedBody = []byte(`{"id":42,"name":"Jane Doe"}`)

func (cannedUpstream) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(cannedBody)),
		ContentLength: int64(len(cannedBody)),
		Request:       r,
	}, nil
}

func overheadGateway(b testing.TB, observed bool, extra ...observe.Option) *gateway.Gateway {
	var rt http.RoundTripper = cannedUpstream{}
	gw := gateway.New()
	var mw []gateway.Middleware
	if observed {
		m, err := observe.NewMetrics(observe.Registerer(prometheus.NewRegistry()))
		if err != nil {
			b.Fatal(err)
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		tr := observe.NewTracing(observe.TracerProvider(tp))
		rt = tr.Transport(rt)
		l := observe.NewAccessLog(slog.New(slog.NewJSONHandler(io.Discard, nil)))
		opts := append([]observe.Option{observe.WithMetrics(m), observe.WithAccessLog(l), observe.WithTracing(tr)}, extra...)
		mw = append(mw, observe.New(opts...).Middleware())
	}
	users, err := proxy.NewUpstream("users", []string{"http://users.internal:8080"}, proxy.WithTransport(rt))
	if err != nil {
		b.Fatal(err)
	}
	gw.GET("/users/:id").Use(mw...).Proxy(gw.AddUpstream(users), "/users/:id")
	return gw
}

// BenchmarkObserverOverhead is the proxy route with an upstream answering
// in-process, plain and observed (as in bench/gateway, and with
// Server-Timing): the difference is what observe costs.
func BenchmarkObserverOverhead(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchSerial(b, overheadGateway(b, false)) })
	b.Run("observed", func(b *testing.B) { benchSerial(b, overheadGateway(b, true)) })
	b.Run("observed+servertiming", func(b *testing.B) { benchSerial(b, overheadGateway(b, true, observe.WithServerTiming())) })
}

// TestObservedProxyAllocations bounds what metrics, the access log and
// tracing (server and client spans) add to a proxied request, so that
// copies of the request or its header do not creep back in.
func TestObservedProxyAllocations(t *testing.T) {
	plain := allocsPerRequest(t, overheadGateway(t, false), "/users/42")
	observed := allocsPerRequest(t, overheadGateway(t, true), "/users/42")
	t.Logf("observe adds %v allocations per proxied request (%v -> %v)", observed-plain, plain, observed)
	if max := 17.0; observed-plain > max {
		t.Errorf("observe adds %v allocations per proxied request, want at most %v", observed-plain, max)
	}
}
