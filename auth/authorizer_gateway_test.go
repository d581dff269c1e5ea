package auth_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestAuthorizerThroughGateway checks that a cached decision made on one
// route does not open another, with the gateway's route templates.
func TestAuthorizerThroughGateway(t *testing.T) {
	var calls atomic.Int64
	authz, err := auth.NewAuthorizer(auth.AuthorizerConfig{
		Authorize: func(_ context.Context, req *auth.AuthorizerRequest) (*auth.Decision, error) {
			calls.Add(1)
			switch req.Token() {
			case "Bearer reader":
				return &auth.Decision{PrincipalID: "reader", Routes: []string{"GET /v1/docs/:id"}}, nil
			case "Bearer admin":
				return &auth.Decision{PrincipalID: "admin", Routes: []string{"*"}}, nil
			}
			return nil, auth.ErrUnauthorized
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	defer gw.Close()
	v1 := gw.Group("/v1").Use(authz.Middleware())
	v1.GET("/docs/:id").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(auth.PrincipalFrom(r.Context()).ID))
	})
	v1.DELETE("/docs/:id").Mock(http.StatusNoContent, "")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	if got := c.Get("/v1/docs/1", "Authorization", "Bearer reader").ExpectStatus(200).String(); got != "reader" {
		t.Fatalf("principal %q", got)
	}
	c.Get("/v1/docs/2", "Authorization", "Bearer reader").ExpectStatus(200)
	c.Request("DELETE", "/v1/docs/1", "", "Authorization", "Bearer reader").ExpectStatus(http.StatusForbidden)
	c.Request("DELETE", "/v1/docs/1", "", "Authorization", "Bearer admin").ExpectStatus(http.StatusNoContent)
	c.Get("/v1/docs/1").ExpectStatus(http.StatusUnauthorized)
	res := c.Get("/v1/docs/1", "Authorization", "Bearer forged").ExpectStatus(http.StatusUnauthorized)
	if p := res.Problem(); p.RequestID == "" || strings.Contains(p.Detail, "forged") {
		t.Fatalf("problem %+v", p)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("authorizer called %d times, want 3 (reader, admin, forged)", n)
	}
}
