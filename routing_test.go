package gateway_test

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// quiet is a gateway option that keeps expected error logs out of test output.
var quiet = gateway.Logger(slog.New(slog.NewTextHandler(io.Discard, nil)))

func echoRoute(w http.ResponseWriter, r *http.Request) {
	rt := gateway.RouteFrom(r.Context())
	var b strings.Builder
	b.WriteString(r.Method + " " + rt.Template + " " + rt.Name)
	for _, p := range gateway.ParamsFrom(r.Context()) {
		b.WriteString(" " + p.Key + "=" + p.Value)
	}
	_, _ = io.WriteString(w, b.String())
}

func TestRouting(t *testing.T) {
	gw := gateway.New()
	gw.GET("/users/:id").Name("user").HandleFunc(echoRoute)
	gw.POST("/users").HandleFunc(echoRoute)
	gw.GET("/files/*rest").HandleFunc(echoRoute)
	gw.Any("/any").HandleFunc(echoRoute)
	v1 := gw.Group("/v1")
	v1.DELETE("/orders/:id").HandleFunc(echoRoute)
	v1.Group("/admin/").PUT("/keys/:key").HandleFunc(echoRoute)
	gw.GET("/health").Mock(http.StatusOK, `{"ok":true}`, "X-Mock", "yes")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)

	tests := []struct {
		method, path string
		status       int
		body         string
		allow        string
	}{
		{"GET", "/users/42", 200, "GET /users/:id user id=42", ""},
		{"HEAD", "/users/42", 200, "", ""},
		{"POST", "/users", 200, "POST /users ", ""},
		{"GET", "/files/a/b/c.txt", 200, "GET /files/*rest  rest=/a/b/c.txt", ""},
		{"PATCH", "/any", 200, "PATCH /any ", ""},
		{"DELETE", "/v1/orders/7", 200, "DELETE /v1/orders/:id  id=7", ""},
		{"PUT", "/v1/admin/keys/k1", 200, "PUT /v1/admin/keys/:key  key=k1", ""},
		{"GET", "/health", 200, `{"ok":true}`, ""},
		{"GET", "/nope", 404, "", ""},
		{"GET", "/users/42/", 404, "", ""},
		{"DELETE", "/users/42", 405, "", "GET, HEAD, OPTIONS"},
		{"GET", "/users", 405, "", "OPTIONS, POST"},
		{"OPTIONS", "/users/42", 204, "", "GET, HEAD, OPTIONS"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := c.Request(tt.method, tt.path, "")
			res.ExpectStatus(tt.status)
			if tt.body != "" && res.String() != tt.body {
				t.Errorf("body %q, want %q", res.String(), tt.body)
			}
			if tt.allow != "" && res.Header.Get("Allow") != tt.allow {
				t.Errorf("Allow %q, want %q", res.Header.Get("Allow"), tt.allow)
			}
			if tt.status >= 400 {
				if p := res.Problem(); p.Status != tt.status || p.RequestID == "" {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
	if got := c.Get("/health").Header.Get("X-Mock"); got != "yes" {
		t.Errorf("mock header %q", got)
	}
}

func TestMiddlewareOrder(t *testing.T) {
	var order []string
	mark := func(name string) gateway.Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name+":"+gateway.RouteFrom(r.Context()).Template)
				next.ServeHTTP(w, r)
			})
		}
	}
	gw := gateway.New()
	gw.Use(mark("gw"))
	outer := gw.Group("/a").Use(mark("outer1"), mark("outer2"))
	inner := outer.Group("/b").Use(mark("inner"))
	inner.GET("/c").Use(mark("route")).Mock(200, "ok")
	outer.Use(mark("outer3")) // added after the route: still applies
	c := gatewaytest.NewClient(t, gw)
	c.Get("/a/b/c").ExpectStatus(200)
	want := "gw: outer1:/a/b/c outer2:/a/b/c outer3:/a/b/c inner:/a/b/c route:/a/b/c"
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("order\n got %s\nwant %s", got, want)
	}
	order = nil
	c.Get("/missing").ExpectStatus(404)
	if got := strings.Join(order, " "); got != "gw:" {
		t.Fatalf("gateway middleware must run before routing, also for 404: %q", got)
	}
}
