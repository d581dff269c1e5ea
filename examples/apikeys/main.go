// Command apikeys runs a gateway that authenticates with API keys and with a
// custom authorizer function, answers browsers' CORS preflights itself and
// keeps an admin route to loopback clients. It sends itself a few requests,
// prints what happened to each, and exits.
//
//	go run ./examples/apikeys
//
// With REDIS_ADDR set (host:port), the API keys live in that Redis and are
// shared by every gateway using it; without it, or when Redis cannot be
// reached, they live in memory.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/cors"
	"github.com/gatewaykit/gateway/ippolicy"
	"github.com/gatewaykit/gateway/redisstore"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	backendURL := startBackend(ctx)

	// API keys: issue one (the secret is shown once; the store keeps a hash).
	store, closeStore := keyStore(ctx)
	defer closeStore()
	keys := &auth.KeyManager{Store: store}
	secret, key, err := keys.Create(ctx, auth.APIKey{Name: "demo partner", Owner: "acme", Plan: "gold"})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = keys.Delete(context.Background(), key.ID) }()

	// A custom authorizer: "Session <user>" tokens, readers may only GET.
	authz, err := auth.NewAuthorizer(auth.AuthorizerConfig{
		Authorize: func(ctx context.Context, req *auth.AuthorizerRequest) (*auth.Decision, error) {
			user, ok := strings.CutPrefix(req.Token(), "Session ")
			switch {
			case !ok || user == "":
				return nil, auth.ErrUnauthorized
			case user == "admin":
				return &auth.Decision{PrincipalID: user, Routes: []string{"*"}}, nil
			}
			return &auth.Decision{PrincipalID: user, Routes: []string{"GET /reports/*"}}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	gw := gateway.New()
	defer gw.Close()
	gw.Use(cors.Allow(cors.Origins("https://app.example.com"), cors.Methods("GET", "DELETE"),
		cors.Headers("Authorization", "X-Api-Key"), cors.Expose("X-Request-Id"), cors.Credentials()))
	backend := gw.Upstream("backend", backendURL)
	gw.Group("/v1").Use(auth.APIKeys(auth.APIKeyConfig{Store: store, QueryParam: "api_key"})).
		GET("/orders").Proxy(backend, "/orders")
	reports := gw.Group("/reports").Use(authz.Middleware())
	reports.GET("/:year").Proxy(backend, "/reports/:year")
	reports.DELETE("/:year").Proxy(backend, "/reports/:year")
	gw.GET("/admin/stats").Use(ippolicy.Only("127.0.0.0/8", "::1")).Mock(http.StatusOK, `{"requests":42}`)
	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = gw.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}

	show := func(title, method, path string, header ...string) {
		req, _ := http.NewRequestWithContext(ctx, method, base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		line := fmt.Sprintf("%-48s %d", title, resp.StatusCode)
		for _, h := range []string{"WWW-Authenticate", "Access-Control-Allow-Origin", "Access-Control-Allow-Methods"} {
			if v := resp.Header.Get(h); v != "" {
				line += "  " + h + ": " + v
			}
		}
		if b := strings.TrimSpace(string(body)); b != "" && len(b) < 120 {
			line += "\n    " + b
		}
		fmt.Println(line)
	}

	fmt.Printf("issued API key %s (owner acme, plan gold); secret shown once: %s…\n\n", key.ID, secret[:10])
	show("GET /v1/orders without a key", "GET", "/v1/orders")
	show("GET /v1/orders with X-Api-Key", "GET", "/v1/orders", "X-Api-Key", secret)
	show("GET /v1/orders?api_key=… (removed upstream)", "GET", "/v1/orders?api_key="+secret+"&status=open")
	show("GET /v1/orders with an unknown key", "GET", "/v1/orders", "X-Api-Key", auth.GenerateKey())
	fresh, _, err := keys.Rotate(ctx, key.ID, time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	show("after rotation: the old key (grace period)", "GET", "/v1/orders", "X-Api-Key", secret)
	show("after rotation: the new key", "GET", "/v1/orders", "X-Api-Key", fresh)
	if _, err := keys.SetDisabled(ctx, key.ID, true); err != nil {
		log.Fatal(err)
	}
	show("after disabling the key", "GET", "/v1/orders", "X-Api-Key", fresh)
	fmt.Println()
	show("GET /reports/2026 as reader", "GET", "/reports/2026", "Authorization", "Session ada")
	show("DELETE /reports/2026 as reader (cached allow)", "DELETE", "/reports/2026", "Authorization", "Session ada")
	show("DELETE /reports/2026 as admin", "DELETE", "/reports/2026", "Authorization", "Session admin")
	show("GET /reports/2026 with a Basic token", "GET", "/reports/2026", "Authorization", "Basic eHl6")
	fmt.Println()
	show("CORS preflight from the app", "OPTIONS", "/reports/2026", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "authorization")
	show("CORS preflight from elsewhere", "OPTIONS", "/reports/2026", "Origin", "https://evil.example",
		"Access-Control-Request-Method", "DELETE")
	show("401 from the app still carries CORS headers", "GET", "/reports/2026", "Origin", "https://app.example.com")
	show("GET /admin/stats from loopback", "GET", "/admin/stats")
}

// keyStore returns a Redis key store when REDIS_ADDR is set and reachable,
// and a memory store otherwise.
func keyStore(ctx context.Context) (auth.KeyStore, func()) {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		return auth.NewMemoryKeyStore(), func() {}
	}
	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, MaxRetries: -1})
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		fmt.Printf("note: Redis at %s unreachable (%v); keeping API keys in memory\n", addr, err)
		_ = client.Close()
		return auth.NewMemoryKeyStore(), func() {}
	}
	store, err := redisstore.NewAPIKeyStore(client, redisstore.APIKeyStoreConfig{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("API keys in Redis at %s\n", addr)
	return store, func() { _ = client.Close() }
}

// startBackend serves a demo backend on a free loopback port until ctx
// ends. It answers with what it received, so the output shows what the
// gateway passed on.
func startBackend(ctx context.Context) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"path": r.URL.Path, "query": r.URL.RawQuery, "x-api-key": r.Header.Get("X-Api-Key"),
		})
	}), ReadHeaderTimeout: gateway.ServeReadHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String()
}
