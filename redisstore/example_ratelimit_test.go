package redisstore_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/ratelimit"
	"github.com/gatewaykit/gateway/redisstore"
)

// Gateway instances that use the same Redis share their limits and quotas:
// each client gets 100 requests per second and 10,000 per day in total,
// whichever instance serves it.
func ExampleNewRateLimitStore() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "redis.internal:6379",
		ContextTimeoutEnabled: true, // give up on a hung server after the limiter's Timeout
		DialTimeout:           100 * time.Millisecond,
	})
	defer client.Close()

	store, err := redisstore.NewRateLimitStore(client, redisstore.RateLimitConfig{
		OnError: func(op string, err error) { log.Printf("rate limit %s: %v", op, err) },
	})
	if err != nil {
		log.Fatal(err)
	}
	local, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	lim, err := ratelimit.New(ratelimit.PerSecond(100), ratelimit.WithQuota(ratelimit.Daily(10_000)),
		ratelimit.Name("api"), ratelimit.ByAPIKey(), ratelimit.WithStore(store),
		// While Redis is away, each instance enforces the limits alone.
		ratelimit.FailOpen(local), ratelimit.Timeout(50*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/", lim.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
}

// When Redis cannot be reached, a limiter that fails closed answers 503
// without waiting, and one that fails open lets the request through.
func ExampleRateLimitStore_unavailable() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer client.Close()
	store, err := redisstore.NewRateLimitStore(client, redisstore.RateLimitConfig{})
	if err != nil {
		log.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, policy := range []ratelimit.Option{ratelimit.FailClosed(), ratelimit.FailOpen(nil)} {
		lim, err := ratelimit.New(ratelimit.PerSecond(10), ratelimit.Name("api"), ratelimit.WithStore(store), policy)
		if err != nil {
			log.Fatal(err)
		}
		rec := httptest.NewRecorder()
		lim.Handler(ok).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		fmt.Println(rec.Code, lim.Stats().StoreErrors)
	}
	// Output:
	// 503 1
	// 200 1
}
