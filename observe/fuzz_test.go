package observe_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/observe"
)

// FuzzObserver sends arbitrary methods, paths and trace headers through an
// observed gateway: nothing panics, every label value stays in its bounded
// set, and a malformed traceparent never reaches the metrics.
func FuzzObserver(f *testing.F) {
	f.Add("GET", "/users/42", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "rojo=00f067aa0ba902b7")
	f.Add("BREW", "/users/%2F..", "00-zz-00-01", "")
	f.Add("get", "/", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "a=b,c")
	f.Add("DELETE", "/users/42/../../etc", "", "")
	reg := prometheus.NewRegistry()
	m, err := observe.NewMetrics(observe.Registerer(reg))
	if err != nil {
		f.Fatal(err)
	}
	tracing := observe.NewTracing()
	gw := gateway.New()
	gw.Use(observe.New(observe.WithMetrics(m), observe.WithTracing(tracing), observe.WithServerTiming()).Middleware())
	gw.GET("/users/:id").Mock(200, "ok")
	gw.POST("/users").Mock(201, "")
	if err := gw.Build(); err != nil {
		f.Fatal(err)
	}
	methods := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
		"DELETE": true, "OPTIONS": true, "CONNECT": true, "TRACE": true, "_OTHER": true}
	f.Fuzz(func(t *testing.T, method, path, traceparent, tracestate string) {
		req, err := http.NewRequest(method, "http://example.com/", nil)
		if err != nil {
			return
		}
		req.URL.Path, req.URL.RawPath = path, ""
		req.Header.Set("Traceparent", traceparent)
		req.Header.Set("Tracestate", tracestate)
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, req)
		// Malformed paths are refused with 400 before gateway-wide
		// middleware runs; every other request is observed.
		if st := rec.Header().Get("Server-Timing"); rec.Code != http.StatusBadRequest && !strings.HasPrefix(st, "gateway;dur=") {
			t.Fatalf("Server-Timing %q on a %d", st, rec.Code)
		}
		for _, v := range labelValues(t, reg) {
			name, value, _ := strings.Cut(v, "=")
			switch name {
			case "method":
				if !methods[value] {
					t.Fatalf("unbounded method label %q", value)
				}
			case "route":
				if value != "unmatched" && value != "/users/:id" && value != "/users" {
					t.Fatalf("raw path in the route label: %q", value)
				}
			case "status_class":
				if len(value) != 3 || value[1:] != "xx" {
					t.Fatalf("status class %q", value)
				}
			}
		}
	})
}
