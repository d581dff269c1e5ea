package gateway_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestUnderscoreSpellingsStripped checks that spoofable headers spelled
// with underscores for dashes are removed like the dashed originals: CGI,
// WSGI, Rack and PHP upstreams read "X_Real_Ip" and "X-Real-Ip" as the
// same variable (HTTP_X_REAL_IP).
func TestUnderscoreSpellingsStripped(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts []gateway.Option
	}{
		{"untrusted peer", nil},
		{"trusted peer", []gateway.Option{gateway.TrustedProxies("192.0.2.0/24")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := gatewaytest.NewUpstream(t)
			gw := gateway.New(tt.opts...)
			gw.GET("/h").Proxy(gw.Upstream("u", up.URL), "")
			gatewaytest.NewClient(t, gw).Get("/h",
				"X_Gateway_User", "admin", "x_gateway_scopes", "admin:all", "X_Real_Ip", "1.1.1.1",
				"X_Forwarded_For", "1.1.1.1", "X_Forwarded_Host", "evil.example", "X_Http_Method_Override", "DELETE",
				"X_Custom_Thing", "kept",
			).ExpectStatus(http.StatusOK)
			rec, _ := up.Last()
			for name := range rec.Header {
				if strings.Contains(name, "_") && name != "X_custom_thing" {
					t.Errorf("%s reached the upstream", name)
				}
			}
			if rec.Header.Get("X_Custom_Thing") != "kept" {
				t.Error("an unrelated header with underscores was removed")
			}
		})
	}
}
