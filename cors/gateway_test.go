package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cors"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/problem"
)

// TestThroughGateway installs CORS gateway-wide and checks that preflights
// never reach a route and that errors made by the gateway or by blocks on a
// route carry the CORS headers.
func TestThroughGateway(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	gw := gateway.New()
	defer gw.Close()
	gw.Use(cors.Allow(cors.Origins("https://app.example.com"), cors.Methods("GET", "DELETE"), cors.Credentials()))
	users := gw.Upstream("users", up.URL)
	gw.GET("/users/:id").Proxy(users, "/users/:id")
	gw.DELETE("/users/:id").Use(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			problem.Error(w, r, problem.New(http.StatusUnauthorized, "Log in.").WithHeader("WWW-Authenticate", "Bearer"))
		})
	}).Mock(http.StatusNoContent, "")
	gw.GET("/panic").HandleFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	const origin = "https://app.example.com"

	res := c.Request("OPTIONS", "/users/7", "", "Origin", origin, "Access-Control-Request-Method", "DELETE")
	if res.Status != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Methods") != "GET, DELETE" {
		t.Fatalf("preflight: %d %v", res.Status, res.Header)
	}
	if n := len(up.Requests()); n != 0 {
		t.Fatalf("preflight reached the upstream %d times", n)
	}

	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/users/7", 200},
		{"DELETE", "/users/7", 401},
		{"GET", "/nowhere", 404},
		{"PUT", "/users/7", 405},
		{"GET", "/panic", 500},
	} {
		res := c.Request(tc.method, tc.path, "", "Origin", origin)
		if res.Status != tc.status {
			t.Fatalf("%s %s: status %d, want %d", tc.method, tc.path, res.Status, tc.status)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != origin || res.Header.Get("Access-Control-Allow-Credentials") != "true" ||
			!strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
			t.Errorf("%s %s: CORS headers missing: %v", tc.method, tc.path, res.Header)
		}
	}
}

func TestInvalidPolicyFailsBuild(t *testing.T) {
	gw := gateway.New()
	defer gw.Close()
	gw.Use(cors.Allow(cors.Origins("https://*.com")))
	gw.GET("/").Mock(200, "")
	if err := gw.Build(); err == nil || !strings.Contains(err.Error(), "wildcard") {
		t.Fatalf("Build = %v", err)
	}
}
