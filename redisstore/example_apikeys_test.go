package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/redisstore"
)

// Gateway instances that use the same Redis share their API keys: a key
// issued, rotated or disabled through one works the same on all.
func ExampleNewAPIKeyStore() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "redis.internal:6379",
		ContextTimeoutEnabled: true, // give up on a hung server after the store's Timeout
	})
	defer client.Close()

	store, err := redisstore.NewAPIKeyStore(client, redisstore.APIKeyStoreConfig{
		Timeout: 100 * time.Millisecond,
		OnError: func(op string, err error) { log.Printf("api keys %s: %v", op, err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	keys, err := auth.NewAPIKeys(auth.APIKeyConfig{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/v1/", keys.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", auth.PrincipalFrom(r.Context()).ID)
	})))

	// Issue a key once, from an admin tool: the secret is shown once and
	// Redis keeps only its hash.
	secret, k, err := (&auth.KeyManager{Store: store}).Create(context.Background(),
		auth.APIKey{Name: "partner", Owner: "acme", Plan: "gold"})
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("key %s: %s", k.ID, secret)
}

// When Redis cannot be reached, requests with an API key are refused with
// 503 and a Retry-After, never let through.
func ExampleAPIKeyStore_unavailable() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true, MaxRetries: -1})
	defer client.Close()
	store, err := redisstore.NewAPIKeyStore(client, redisstore.APIKeyStoreConfig{
		OnError: func(op string, err error) { fmt.Println("redis error on", op) },
	})
	if err != nil {
		log.Fatal(err)
	}
	h := auth.APIKeys(auth.APIKeyConfig{Store: store})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "secret data")
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Api-Key", auth.GenerateKey())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Retry-After"))
	// Output:
	// redis error on lookup
	// 503 1
}
