package auth_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gatewaykit/gateway/auth"
)

func ExampleNewAuthorizer() {
	a, err := auth.NewAuthorizer(auth.AuthorizerConfig{
		// A token authorizer: the identity is the Authorization header.
		Authorize: func(ctx context.Context, req *auth.AuthorizerRequest) (*auth.Decision, error) {
			user, ok := strings.CutPrefix(req.Token(), "Session ")
			if !ok || user == "" {
				return nil, auth.ErrUnauthorized
			}
			return &auth.Decision{
				PrincipalID: user,
				Context:     map[string]any{"tier": "free"},
				// The decision is cached for this token and covers these
				// routes only.
				Routes: []string{"GET /reports/*"},
			}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", auth.PrincipalFrom(r.Context()).ID)
	}))
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/reports/2026", "Session ada"},
		{"DELETE", "/reports/2026", "Session ada"},
		{"GET", "/reports/2026", "Basic xyz"},
		{"GET", "/reports/2026", ""},
	} {
		req := httptest.NewRequest(tc.method, tc.path, nil)
		if tc.token != "" {
			req.Header.Set("Authorization", tc.token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(tc.method, " ", tc.token, " -> ", rec.Code, " ", rec.Header().Get("WWW-Authenticate"))))
	}
	// Output:
	// GET Session ada -> 200
	// DELETE Session ada -> 403
	// GET Basic xyz -> 401 Bearer
	// GET  -> 401 Bearer
}

func ExampleIdentityQuery() {
	// A request authorizer: a tenant header and a signed query parameter
	// must both be present, or the request is refused without a call.
	a, err := auth.NewAuthorizer(auth.AuthorizerConfig{
		IdentitySources: []auth.IdentitySource{auth.IdentityHeader("X-Tenant"), auth.IdentityQuery("sig")},
		Authorize: func(ctx context.Context, req *auth.AuthorizerRequest) (*auth.Decision, error) {
			fmt.Println("called with", req.Identity)
			return &auth.Decision{PrincipalID: req.Identity[0]}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, target := range []string{"/export?sig=abc", "/export"} {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("X-Tenant", "t-42")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(target, rec.Code)
	}
	// Output:
	// called with [t-42 abc]
	// /export?sig=abc 200
	// /export 401
}
