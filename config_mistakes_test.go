package gateway_test

import (
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/aggregate"
)

// TestConfigMistakesFailBuild covers configuration mistakes that must be
// reported by Build rather than surface on requests.
func TestConfigMistakesFailBuild(t *testing.T) {
	tests := []struct {
		name  string
		opts  []gateway.Option
		setup func(gw *gateway.Gateway)
		want  string
	}{
		{"aggregate leg uses a parameter the route lacks", nil, func(gw *gateway.Gateway) {
			u := gw.Upstream("users", "http://127.0.0.1:1")
			gw.GET("/dash/:id").Handle(aggregate.New(aggregate.Call(u, "/users/:uid")))
		}, ":uid"},
		{"aggregate leg query uses a parameter the route lacks", nil, func(gw *gateway.Gateway) {
			u := gw.Upstream("users", "http://127.0.0.1:1")
			gw.GET("/dash").Handle(aggregate.New(aggregate.Call(u, "/files?user=:id")))
		}, ":id"},
		{"stages by host and by path", []gateway.Option{
			gateway.StagesByHost(map[string]string{"api.example": "prod"}), gateway.StagesByPath(),
		}, nil, "StagesByHost"},
		{"stages by path and by host", []gateway.Option{
			gateway.StagesByPath(), gateway.StagesByHost(map[string]string{"api.example": "prod"}),
		}, nil, "StagesByHost"},
		{"method with a space", nil, func(gw *gateway.Gateway) { gw.Route("GE T", "/a").Mock(200, "") }, "method"},
		{"method with a control character", nil, func(gw *gateway.Gateway) { gw.Route("GET\n", "/a").Mock(200, "") }, "method"},
		{"empty strip header", []gateway.Option{gateway.StripHeaders("")}, nil, "StripHeaders"},
		{"empty request ID header", []gateway.Option{gateway.RequestIDHeader("")}, nil, "RequestIDHeader"},
		{"stage host with a port", []gateway.Option{
			gateway.StagesByHost(map[string]string{"api.example:8443": "prod"}),
		}, nil, "api.example:8443"},
		{"invalid request ID header", []gateway.Option{gateway.RequestIDHeader("X Request Id")}, nil, "RequestIDHeader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := gateway.New(append([]gateway.Option{quiet}, tt.opts...)...)
			defer gw.Close()
			gw.GET("/").Mock(200, "")
			if tt.setup != nil {
				tt.setup(gw)
			}
			err := gw.Build()
			if err == nil {
				t.Fatal("Build succeeded")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}
