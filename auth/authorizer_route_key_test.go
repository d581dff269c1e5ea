package auth_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestAuthorizerCacheKeepsEncodedSlashRoutesApart checks that a decision
// without Routes, made for a path whose segment holds an encoded slash,
// is not reused for the path with a plain slash, which the gateway routes
// to another route.
func TestAuthorizerCacheKeepsEncodedSlashRoutesApart(t *testing.T) {
	authz, err := auth.NewAuthorizer(auth.AuthorizerConfig{
		Authorize: func(_ context.Context, req *auth.AuthorizerRequest) (*auth.Decision, error) {
			if req.Route == "/files/:name/admin" {
				return nil, auth.ErrForbidden
			}
			return &auth.Decision{PrincipalID: "u"}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New(gateway.AllowEncodedSlash())
	defer gw.Close()
	g := gw.Group("/files").Use(authz.Middleware())
	g.GET("/:name").Mock(http.StatusOK, "file")
	g.GET("/:name/admin").Mock(http.StatusOK, "admin")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	c.Get("/files/x%2Fadmin", "Authorization", "Bearer t").ExpectStatus(http.StatusOK)
	c.Get("/files/x/admin", "Authorization", "Bearer t").ExpectStatus(http.StatusForbidden)
}
