package redisstore_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/redisstore"
)

// Gateway instances that use the same Redis share their cached responses.
func ExampleNewCacheStore() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "redis.internal:6379",
		ContextTimeoutEnabled: true, // give up on a hung server after the store's Timeout
	})
	defer client.Close()

	store, err := redisstore.NewCacheStore(client, redisstore.CacheConfig{
		Timeout: 50 * time.Millisecond,
		OnError: func(op string, err error) { log.Printf("cache %s: %v", op, err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := cache.New(cache.WithStore(store), cache.TTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	http.Handle("GET /users/{id}", c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%q}`, r.PathValue("id"))
	})))
}

// When Redis cannot be reached, every lookup is a miss: clients are still
// answered by the upstream, and the failure is reported to OnError.
func ExampleCacheStore_unavailable() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true, MaxRetries: -1})
	defer client.Close()
	store, err := redisstore.NewCacheStore(client, redisstore.CacheConfig{
		OnError: func(op string, err error) { fmt.Println("redis error on", op) },
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := cache.New(cache.WithStore(store))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "from upstream")
	}))

	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/users/42", nil))
		fmt.Println(rec.Code, rec.Header().Get(cache.HeaderXCache), rec.Body)
	}
	// Output:
	// redis error on get
	// 200 Miss from upstream
	// 200 Miss from upstream
}
