package redisstore_test

import (
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/proxy"
	"github.com/gatewaykit/gateway/redisstore"
)

// Gateway instances that use the same Redis share their circuit breakers:
// when one instance's breaker for "orders" trips, the others stop calling
// the upstream too, within the breaker's SyncInterval.
func ExampleNewBreakerStore() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "redis.internal:6379",
		ContextTimeoutEnabled: true, // give up on a hung server after the store's Timeout
	})
	defer client.Close()

	store, err := redisstore.NewBreakerStore(client, redisstore.BreakerStoreConfig{})
	if err != nil {
		log.Fatal(err)
	}
	orders, err := proxy.NewUpstream("orders", []string{"http://orders.internal:8080"},
		proxy.WithBreaker(breaker.Settings{
			FailureRatio: 0.5,
			OpenInterval: 20 * time.Second,
			Store:        store,
			OnError:      func(op string, err error) { log.Printf("breaker store %s: %v", op, err) },
		}))
	if err != nil {
		log.Fatal(err)
	}
	p, err := proxy.New(orders, "")
	if err != nil {
		log.Fatal(err)
	}
	http.Handle("/orders/", p)
}

// When Redis cannot be reached, each instance's breaker goes on with its
// own state, and the failures are reported to OnError.
func ExampleBreakerStore_unavailable() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true, MaxRetries: -1})
	defer client.Close()
	store, err := redisstore.NewBreakerStore(client, redisstore.BreakerStoreConfig{})
	if err != nil {
		log.Fatal(err)
	}
	b, err := breaker.New(breaker.Settings{
		Name:                "orders",
		ConsecutiveFailures: 2,
		Store:               store,
		OnError:             func(op string, err error) { fmt.Println("redis error on", op) },
		OnStateChange:       func(name, from, to string) { fmt.Println(name, from, "->", to) },
	})
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		if t, err := b.Allow(); err == nil {
			b.Done(t, http.StatusBadGateway, nil)
		}
	}
	_, err = b.Allow()
	fmt.Println(err)
	// Output:
	// redis error on get
	// orders closed -> open
	// redis error on set
	// breaker: circuit open: "orders"
}
