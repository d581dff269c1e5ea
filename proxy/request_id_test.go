package proxy_test

import (
	"net/http"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestRequestIDOnceEachWay checks that the upstream gets the request ID
// under the gateway's request ID header, and that the client gets exactly
// the gateway's ID however the upstream answers.
func TestRequestIDOnceEachWay(t *testing.T) {
	for _, c := range []struct {
		name, header string
		echo         func(r *http.Request) string // the upstream's answer header value; "" for none
	}{
		{"default header, upstream echoes", "", func(r *http.Request) string { return r.Header.Get("X-Request-Id") }},
		{"default header, upstream's own ID", "", func(*http.Request) string { return "upstream-7" }},
		{"custom header, upstream echoes", "X-Correlation-Id", func(r *http.Request) string { return r.Header.Get("X-Correlation-Id") }},
		{"custom header, upstream silent", "X-Correlation-Id", func(*http.Request) string { return "" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := c.header
			var opts []gateway.Option
			if name != "" {
				opts = append(opts, gateway.RequestIDHeader(name))
			} else {
				name = "X-Request-Id"
			}
			up := gatewaytest.NewUpstream(t)
			var seen http.Header
			up.Handle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = r.Header.Clone()
				if v := c.echo(r); v != "" {
					w.Header().Set(name, v)
				}
				_, _ = w.Write([]byte("ok"))
			}))
			gw := gateway.New(opts...)
			gw.GET("/x").Proxy(gw.Upstream("u", up.URL), "/x")
			res := gatewaytest.NewClient(t, gw).Get("/x", name, "client-id-1").ExpectStatus(200)
			if got := res.Header.Values(name); len(got) != 1 || got[0] != "client-id-1" {
				t.Errorf("client got %s %q, want once client-id-1", name, got)
			}
			if got := seen.Values(name); len(got) != 1 || got[0] != "client-id-1" {
				t.Errorf("upstream got %s %q, want once client-id-1", name, got)
			}
			if c.header != "" && seen.Get("X-Request-Id") != "" {
				t.Errorf("upstream got X-Request-Id %q besides %s", seen.Get("X-Request-Id"), name)
			}
		})
	}
}
