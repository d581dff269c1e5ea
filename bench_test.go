package gateway_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway"
)

// discardWriter is a minimal ResponseWriter so benchmarks measure the
// gateway, not httptest.ResponseRecorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func benchGateway(b *testing.B, gw *gateway.Gateway, path string) {
	b.Helper()
	if err := gw.Build(); err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", path, nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		gw.ServeHTTP(w, req)
	}
}

// BenchmarkGatewayMockStatic is the whole gateway path (layers, routing,
// route limits) to a static route.
func BenchmarkGatewayMockStatic(b *testing.B) {
	gw := gateway.New()
	gw.GET("/health").Mock(200, `{"ok":true}`)
	benchGateway(b, gw, "/health")
}

// BenchmarkGatewayMockParams adds path parameters and a group among 20
// routes.
func BenchmarkGatewayMockParams(b *testing.B) {
	gw := gateway.New()
	v1 := gw.Group("/v1")
	for _, p := range []string{"/users", "/orders", "/items", "/carts", "/payments"} {
		v1.GET(p+"/:id").Mock(200, "ok")
		v1.POST(p).Mock(201, "ok")
		v1.GET(p+"/:id/history/*rest").Mock(200, "ok")
		v1.DELETE(p+"/:id").Mock(204, "")
	}
	benchGateway(b, gw, "/v1/payments/42")
}

// BenchmarkGatewayHandlerParallel runs an in-process handler route from
// many goroutines.
func BenchmarkGatewayHandlerParallel(b *testing.B) {
	gw := gateway.New()
	gw.GET("/users/:id").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, gateway.ParamFrom(r.Context(), "id"))
	})
	if err := gw.Build(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		req := httptest.NewRequest("GET", "/users/42", nil)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			clear(w.h)
			gw.ServeHTTP(w, req)
		}
	})
}

// BenchmarkGatewayProxy is a proxied request through a real loopback
// upstream, as in the end-to-end benchmark.
func BenchmarkGatewayProxy(b *testing.B) {
	body := []byte(`{"id":42,"name":"Jane Doe"}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer up.Close()
	gw := gateway.New()
	gw.GET("/users/:id").Proxy(gw.Upstream("users", up.URL), "/users/:id")
	benchGateway(b, gw, "/users/42")
}
