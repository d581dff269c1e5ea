package cors_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cors"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestVaryOriginSurvivesHandlers checks that a response whose CORS headers
// depend on Origin still says so when a handler or a mock replaced the Vary
// field: without Vary: Origin a shared cache would serve one origin's answer
// to the next.
func TestVaryOriginSurvivesHandlers(t *testing.T) {
	gw := gateway.New()
	defer gw.Close()
	gw.Use(cors.Allow(cors.Origins("https://app.example.com", "https://*.example.org"), cors.Credentials()))
	gw.GET("/mock").Mock(http.StatusOK, `{"a":1}`, "Vary", "Accept-Language", "Cache-Control", "public, max-age=60")
	gw.GET("/handler").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Cache-Control", "public, max-age=60")
		_, _ = w.Write([]byte("ok"))
	})
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	for _, path := range []string{"/mock", "/handler"} {
		for _, origin := range []string{"https://app.example.com", "https://a.example.org", "https://evil.example", ""} {
			var headers []string
			if origin != "" {
				headers = []string{"Origin", origin}
			}
			res := c.Request("GET", path, "", headers...)
			if res.Status != http.StatusOK {
				t.Fatalf("GET %s from %q: status %d", path, origin, res.Status)
			}
			vary := strings.Join(res.Header.Values("Vary"), ", ")
			if !strings.Contains(vary, "Origin") {
				t.Errorf("GET %s from %q: Vary = %q, want Origin in it (Access-Control-Allow-Origin %q)",
					path, origin, vary, res.Header.Get("Access-Control-Allow-Origin"))
			}
		}
	}
}
