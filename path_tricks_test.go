package gateway_test

import (
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestAllowEncodedSlashKeepsSegments checks that with AllowEncodedSlash a
// segment holding %2F is one segment to the router, as it is to the
// upstream, so that it can neither miss a parameter route nor climb out of
// a public route into a protected one once an upstream decodes it.
func TestAllowEncodedSlashKeepsSegments(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	gw := gateway.New(gateway.AllowEncodedSlash(), gateway.StagesByPath())
	u := gw.Upstream("u", up.URL)
	gw.GET("/files/:name").HandleFunc(echoRoute)
	gw.GET("/files/:name/meta").HandleFunc(echoRoute)
	gw.GET("/store/:name").Proxy(u, "/objects/:name")
	gw.GET("/public/*rest").Proxy(u, "")
	gw.Group("/admin").Use(requireToken).GET("/*rest").Proxy(u, "")
	if _, err := gw.Deploy("prod", nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path   string
		status int
		body   string // handler's view, or the upstream's escaped path
	}{
		{"/prod/files/a%2Fb", 200, "GET /files/:name  name=a/b"},
		{"/prod/files/a%2fb/meta", 200, "GET /files/:name/meta  name=a/b"},
		{"/prod/files/100%25%2Fx", 200, "GET /files/:name  name=100%/x"},
		{"/prod/store/a%2Fb", 200, "/objects/a%2Fb"},
		{"/prod/public%2F..%2Fadmin/x", 400, ""},
		{"/prod/public/a%2F..%2F..%2Fadmin/x", 400, ""},
		{"/prod/public/x%2Fadmin/y", 200, "/public/x%2Fadmin/y"},
		{"/prod%2Fx/files/a", 404, ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			before := up.Count()
			res := gatewaytest.NewClient(t, gw).Get(tt.path).ExpectStatus(tt.status)
			switch {
			case tt.status != 200:
				if up.Count() != before {
					t.Fatalf("the upstream was called")
				}
			case up.Count() != before:
				rec, _ := up.Last()
				if rec.RawPath != tt.body {
					t.Fatalf("upstream got %q, want %q", rec.RawPath, tt.body)
				}
			case res.String() != tt.body:
				t.Fatalf("handler saw %q, want %q", res.String(), tt.body)
			}
		})
	}
}

// TestDotSegmentWithParamsRefused checks that ".." followed by path
// parameters, which Tomcat, Jetty and Spring resolve as "..", cannot pass a
// public catch-all route on its way to a protected path upstream.
func TestDotSegmentWithParamsRefused(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	gw := gateway.New()
	u := gw.Upstream("u", up.URL)
	gw.GET("/public/*rest").Proxy(u, "")
	gw.Group("/admin").Use(requireToken).GET("/*rest").Proxy(u, "")
	for _, p := range []string{
		"/public/..;/admin/users", "/public/..;jsessionid=1/admin/users", "/public/%2e%2e;/admin/users",
		"/public/.;/..;/admin/users", "/public/..%3b/admin/users",
	} {
		t.Run(p, func(t *testing.T) {
			gatewaytest.NewClient(t, gw).Get(p).ExpectStatus(400).Problem()
			if up.Count() != 0 {
				rec, _ := up.Last()
				t.Fatalf("upstream got %q", rec.RawPath)
			}
		})
	}
	// Path parameters on ordinary segments still pass.
	gatewaytest.NewClient(t, gw).Get("/public/a;v=1/b").ExpectStatus(200)
	if rec, _ := up.Last(); rec.RawPath != "/public/a;v=1/b" {
		t.Fatalf("upstream got %q", rec.RawPath)
	}
}
