package auth_test

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gatewaykit/gateway/auth"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// Example validates tokens signed with a static Ed25519 key and guards a
// handler with a scope.
func Example() {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

	mw := auth.JWT(auth.JWTConfig{
		Issuers: []auth.Issuer{{
			Issuer:    "https://id.example.com/",
			Keys:      []any{priv.Public()},
			Audiences: []string{"api"},
		}},
		ClaimHeaders: []auth.ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
		Now:          func() time.Time { return now },
	})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "hello %s (%s) scopes %v", p.ID, r.Header.Get("X-User-Id"), p.Scopes)
	})
	h := mw(auth.RequireScopes("read")(api))

	tok, _ := jwt.NewBuilder().Issuer("https://id.example.com/").Audience([]string{"api"}).
		Subject("alice").Expiration(now.Add(time.Hour)).Claim("scope", "read write").Build()
	signed, _ := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), priv))

	for _, authz := range []string{"Bearer " + string(signed), "", "Bearer not.a.token"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code == http.StatusOK {
			fmt.Println(rec.Code, rec.Body)
		} else {
			fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
	// Output:
	// 200 hello alice (alice) scopes [read write]
	// 401 Bearer
	// 401 Bearer error="invalid_token", error_description="The access token is invalid"
}

// ExampleNewJWT shows the form for keys fetched from a JWKS URL or by
// OpenID Connect discovery: it refreshes keys in the background, so it is
// closed when no longer needed.
func ExampleNewJWT() {
	ja, err := auth.NewJWT(auth.JWTConfig{
		Issuers: []auth.Issuer{
			{Issuer: "https://id.example.com/", JWKSURL: "https://id.example.com/.well-known/jwks.json", Audiences: []string{"api"}},
			{Issuer: "https://login.partner.example/", Discovery: true, Audiences: []string{"api"}},
		},
		OnKeysRefresh: func(issuer string, err error) {
			// count refreshes and failures per issuer
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ja.Close()
	log.Fatal(http.ListenAndServe(":8080", ja.Handler(http.NotFoundHandler())))
}

// ExampleRequireScopes guards a route: callers without the scope get 403
// and a challenge naming it.
func ExampleRequireScopes() {
	h := auth.RequireScopes("orders:write")(http.NotFoundHandler())
	r := httptest.NewRequest(http.MethodPost, "/orders", nil)
	r = r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{ID: "alice", Scopes: []string{"orders:read"}}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 403 Bearer error="insufficient_scope", scope="orders:write"
}

// ExampleClaimsFrom reads a claim of the authenticated caller.
func ExampleClaimsFrom() {
	ctx := auth.WithPrincipal(httptest.NewRequest(http.MethodGet, "/", nil).Context(),
		&auth.Principal{ID: "alice", Claims: map[string]any{"tenant": "acme", "roles": []any{"admin", "dev"}}})
	claims := auth.ClaimsFrom(ctx)
	tenant, _ := claims.String("tenant")
	fmt.Println(tenant, claims.Strings("roles"))
	// Output:
	// acme [admin dev]
}
