package gateway_test

import (
	"net/http"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestDraftNotServedOnceDeployed checks that once a stage is deployed,
// no request reaches the draft, whose routes have not been deployed: not
// an unlisted host, not a path naming the default stage.
func TestDraftNotServedOnceDeployed(t *testing.T) {
	for _, tt := range []struct {
		name  string
		opt   gateway.Option
		path  string
		host  string
		draft string // the same request, for a draft route
	}{
		{"by path", gateway.StagesByPath(), "/prod/v", "api.example.com", "/$default/unreleased"},
		{"by host", gateway.StagesByHost(map[string]string{"api.example.com": "prod"}), "/v", "api.example.com", "/unreleased"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gw := gateway.New(tt.opt)
			gw.GET("/v").Mock(http.StatusOK, "released")
			c := gatewaytest.NewClient(t, gw)
			if _, err := gw.Deploy("prod", nil); err != nil {
				t.Fatal(err)
			}
			gw.GET("/unreleased").Mock(http.StatusOK, "not deployed yet")
			c.Host = tt.host
			c.Get(tt.path).ExpectStatus(http.StatusOK)
			c.Host = "other.example.com"
			c.Get(tt.draft).ExpectStatus(http.StatusNotFound).Problem()
			c.Get("/$default/v").ExpectStatus(http.StatusNotFound)
			// Deploying the default stage serves it again.
			if _, err := gw.Deploy(gateway.DefaultStage, nil); err != nil {
				t.Fatal(err)
			}
			c.Get(tt.draft).ExpectStatus(http.StatusOK)
		})
	}
	// A gateway that never deployed serves its draft as the default stage.
	gw := gateway.New(gateway.StagesByHost(map[string]string{"api.example.com": "prod"}))
	gw.GET("/v").Mock(http.StatusOK, "draft")
	c := gatewaytest.NewClient(t, gw)
	c.Host = "other.example.com"
	c.Get("/v").ExpectStatus(http.StatusOK)
}
