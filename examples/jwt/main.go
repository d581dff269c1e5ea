// Command jwt runs a gateway that validates JSON Web Tokens against a JWKS
// server it starts in the same process, sends it a few requests with good
// and hostile tokens, and prints what the gateway answered. It ends with a
// curl line carrying a valid token.
//
//	go run ./examples/jwt          # run the demo and exit
//	go run ./examples/jwt -serve   # then keep serving, for curl (Ctrl-C to stop)
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
)

const (
	issuer   = "https://id.example.com/"
	audience = "orders-api"
)

func main() {
	serve := flag.Bool("serve", false, "keep serving after the demo requests")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// The identity provider's signing key, published at a local JWKS URL.
	signer := newKey("demo-1")
	jwksURL := listen(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set := jwk.NewSet()
		pub, _ := jwk.PublicKeyOf(signer)
		_ = set.AddKey(pub)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})) + "/.well-known/jwks.json"
	backend := listen(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend: %s %s for X-User-Id=%q\n", r.Method, r.URL.Path, r.Header.Get("X-User-Id"))
	}))

	ja, err := auth.NewJWT(auth.JWTConfig{
		Issuers:      []auth.Issuer{{Issuer: issuer, JWKSURL: jwksURL, Audiences: []string{audience}}},
		ClaimHeaders: []auth.ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
		Realm:        "orders",
		OnKeysRefresh: func(iss string, err error) {
			fmt.Printf("keys of %s refreshed (error: %v)\n", iss, err)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer ja.Close()

	gw := gateway.New(gateway.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	orders := gw.Upstream("orders", backend)
	v1 := gw.Group("/v1").Use(ja.Middleware())
	v1.GET("/orders").Proxy(orders, "/orders")
	v1.POST("/orders").Use(auth.RequireScopes("orders:write")).Proxy(orders, "/orders")
	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- gw.ServeListener(ctx, ln) }()

	reader := mint(signer, "alice", "orders:read", time.Hour)
	writer := mint(signer, "bob", "orders:read orders:write", time.Hour)
	forged := mint(newKey("demo-1"), "mallory", "orders:write", time.Hour)
	parts := strings.Split(reader, ".")
	unsigned := b64(`{"alg":"none"}`) + "." + parts[1] + "."

	fmt.Println("every request also sends X-User-Id: forged-by-client, which the gateway replaces")
	for _, c := range []struct{ what, method, token string }{
		{"valid token", http.MethodGet, reader},
		{"no token", http.MethodGet, ""},
		{"missing scope", http.MethodPost, reader},
		{"with scope", http.MethodPost, writer},
		{"expired token", http.MethodGet, mint(signer, "alice", "orders:read", -time.Minute)},
		{"signed by another key", http.MethodGet, forged},
		{"alg none", http.MethodGet, unsigned},
		{"unknown kid", http.MethodGet, mint(newKey("random-kid"), "eve", "", time.Hour)},
	} {
		fmt.Printf("\n%s: %s /v1/orders\n", c.what, c.method)
		call(c.method, base+"/v1/orders", c.token)
	}

	fmt.Printf("\nTry it (token valid for an hour):\n  curl -i -H 'Authorization: Bearer %s' %s/v1/orders\n", reader, base)
	if !*serve {
		stop()
	} else {
		fmt.Println("\nserving until Ctrl-C")
	}
	if err := <-done; err != nil {
		log.Fatal(err)
	}
}

// call sends one request and prints the answer's status, challenge and body.
func call(method, url, token string) {
	req, _ := http.NewRequest(method, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-User-Id", "forged-by-client")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Printf("  %d %s\n", res.StatusCode, strings.TrimSpace(string(body)))
	if ch := res.Header.Get("WWW-Authenticate"); ch != "" {
		fmt.Printf("  WWW-Authenticate: %s\n", ch)
	}
}

// newKey generates an RSA signing key with the given key id.
func newKey(kid string) jwk.Key {
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	k, err := jwk.Import(raw)
	if err != nil {
		log.Fatal(err)
	}
	_ = k.Set(jwk.KeyIDKey, kid)
	_ = k.Set(jwk.AlgorithmKey, jwa.RS256())
	return k
}

// mint signs an access token for sub with the given scopes, expiring in ttl.
func mint(key jwk.Key, sub, scope string, ttl time.Duration) string {
	now := time.Now()
	b := jwt.NewBuilder().Issuer(issuer).Audience([]string{audience}).Subject(sub).
		IssuedAt(now.Add(-2 * time.Hour)).Expiration(now.Add(ttl))
	if scope != "" {
		b = b.Claim("scope", scope)
	}
	tok, err := b.Build()
	if err != nil {
		log.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), key))
	if err != nil {
		log.Fatal(err)
	}
	return string(signed)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// listen serves h on a free loopback port until ctx ends.
func listen(ctx context.Context, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: gateway.ServeReadHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String()
}
