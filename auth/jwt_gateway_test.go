package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
)

// TestJWTThroughGateway runs a gateway whose group validates tokens from a
// real JWKS server, with a scope on one route and the subject forwarded to
// the upstream.
func TestJWTThroughGateway(t *testing.T) {
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, _ := jwk.Import(raw)
	_ = priv.Set(jwk.KeyIDKey, "k1")
	_ = priv.Set(jwk.AlgorithmKey, jwa.ES256())
	pub, _ := jwk.PublicKeyOf(priv)
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(set)
	}))
	defer jwks.Close()

	ja, err := auth.NewJWT(auth.JWTConfig{
		Issuers:      []auth.Issuer{{Issuer: "https://id.example.com/", JWKSURL: jwks.URL, Audiences: []string{"orders-api"}}},
		ClaimHeaders: []auth.ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
		Realm:        "orders",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ja.Close()

	up := gatewaytest.NewUpstream(t)
	gw := gateway.New(gateway.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	orders := gw.Upstream("orders", up.URL)
	v1 := gw.Group("/v1").Use(ja.Middleware())
	v1.GET("/orders").Proxy(orders, "/orders")
	v1.POST("/orders").Use(auth.RequireScopes("orders:write")).Proxy(orders, "/orders")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)

	sign := func(scope string, exp time.Duration) string {
		tok, err := jwt.NewBuilder().Issuer("https://id.example.com/").Audience([]string{"orders-api"}).
			Subject("alice").IssuedAt(time.Now()).Expiration(time.Now().Add(exp)).
			Claim("scope", scope).Build()
		if err != nil {
			t.Fatal(err)
		}
		b, err := jwt.Sign(tok, jwt.WithKey(jwa.ES256(), priv))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	reader, writer := sign("orders:read", time.Hour), sign("orders:read orders:write", time.Hour)

	c.Get("/v1/orders", "Authorization", "Bearer "+reader, "X-User-Id", "mallory").ExpectStatus(200)
	rec, _ := up.Last()
	if got := rec.Header.Values("X-User-Id"); len(got) != 1 || got[0] != "alice" {
		t.Fatalf("upstream saw X-User-Id %q", got)
	}
	c.Request(http.MethodPost, "/v1/orders", "{}", "Authorization", "Bearer "+writer).ExpectStatus(200)

	tests := []struct {
		name, method, auth string
		status             int
		challenge          string
	}{
		{"no token", http.MethodGet, "", 401, `Bearer realm="orders"`},
		{"missing scope", http.MethodPost, "Bearer " + reader, 403, `Bearer error="insufficient_scope", scope="orders:write"`},
		{"expired", http.MethodGet, "Bearer " + sign("orders:read", -time.Hour), 401, `Bearer realm="orders", error="invalid_token", error_description="The access token expired"`},
		{"garbage", http.MethodGet, "Bearer " + strings.Repeat("a", 20), 401, `Bearer realm="orders", error="invalid_token", error_description="The access token is invalid"`},
	}
	before := up.Count()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var headers []string
			if tt.auth != "" {
				headers = []string{"Authorization", tt.auth}
			}
			res := c.Request(tt.method, "/v1/orders", "", headers...).ExpectStatus(tt.status)
			if p := res.Problem(); p.Status != tt.status || p.RequestID == "" {
				t.Fatalf("problem %+v", p)
			}
			if got := res.Header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Fatalf("WWW-Authenticate %q", got)
			}
		})
	}
	if up.Count() != before {
		t.Fatal("a rejected request reached the upstream")
	}
}

// TestJWTGatewayReportsConfigErrors checks the gateway refuses to build
// with a misconfigured one-line JWT or RequireScopes.
func TestJWTGatewayReportsConfigErrors(t *testing.T) {
	gw := gateway.New(gateway.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	gw.GET("/a").Use(auth.JWT(auth.JWTConfig{})).Mock(200, "ok")
	gw.GET("/b").Use(auth.RequireScopes()).Mock(200, "ok")
	err := gw.Build()
	if err == nil || !strings.Contains(err.Error(), "issuer") || !strings.Contains(err.Error(), "RequireScopes") {
		t.Fatalf("Build: %v", err)
	}
}
