package ippolicy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/ippolicy"
)

// TestThroughGateway checks that the policy sees the address the gateway
// resolved through its trusted proxies, and nothing a client can forge.
func TestThroughGateway(t *testing.T) {
	gw := gateway.New(gateway.TrustedProxies("10.0.0.0/8"))
	defer gw.Close()
	admin := gw.Group("/admin").Use(ippolicy.Only("198.51.100.0/24"))
	admin.GET("/stats").Mock(http.StatusOK, "ok")
	gw.GET("/public").Use(ippolicy.Block("203.0.113.0/24")).Mock(http.StatusOK, "ok")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, remote, xff, path string
		want                    int
	}{
		{"client behind trusted proxy", "10.0.0.1:1", "198.51.100.7", "/admin/stats", 200},
		{"spoofed entry left of the real client", "10.0.0.1:1", "198.51.100.7, 192.0.2.1", "/admin/stats", 403},
		{"untrusted peer forging the header", "192.0.2.1:1", "198.51.100.7", "/admin/stats", 403},
		{"direct allowed client", "198.51.100.9:1", "", "/admin/stats", 200},
		{"blocked client behind proxy", "10.0.0.1:1", "203.0.113.3", "/public", 403},
		{"blocked client forging", "203.0.113.3:1", "192.0.2.1", "/public", 403},
		{"other client", "192.0.2.1:1", "", "/public", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := gatewaytest.NewClient(t, gw)
			c.RemoteAddr = tt.remote
			var hdr []string
			if tt.xff != "" {
				hdr = []string{"X-Forwarded-For", tt.xff}
			}
			res := c.Get(tt.path, hdr...)
			if res.Status != tt.want {
				t.Fatalf("status %d, want %d: %s", res.Status, tt.want, res.Body)
			}
		})
	}
}

func TestInvalidPolicyFailsBuild(t *testing.T) {
	gw := gateway.New()
	defer gw.Close()
	gw.GET("/").Use(ippolicy.Only("10.0.0.0/40")).Mock(200, "")
	if err := gw.Build(); err == nil || !strings.Contains(err.Error(), "10.0.0.0/40") {
		t.Fatalf("Build = %v", err)
	}
}
