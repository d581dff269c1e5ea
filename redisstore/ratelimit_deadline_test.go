package redisstore_test

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/ratelimit"
	"github.com/gatewaykit/gateway/redisstore"
)

// hungRedis returns the address of a server that accepts connections and
// never answers, as a Redis that has stopped responding does.
func hungRedis(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	stop := make(chan struct{})
	conns.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() {
				<-stop
				_ = c.Close()
			})
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		close(stop)
		conns.Wait()
	})
	return ln.Addr().String()
}

// TestRateLimitStoreHungPastRouteDeadline gives a route a timeout shorter
// than its limiter's: when Redis stops answering, the request's deadline
// passes first. The limiter must still apply its failure policy (fail
// open) and back off from the store, not refuse the request as if it had
// failed closed and go on waiting for Redis on every request.
func TestRateLimitStoreHungPastRouteDeadline(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: hungRedis(t), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	store, err := redisstore.NewRateLimitStore(client, redisstore.RateLimitConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var reported atomic.Int64
	lim, err := ratelimit.New(ratelimit.PerSecond(10), ratelimit.Name("api"), ratelimit.WithStore(store),
		ratelimit.Timeout(time.Minute), ratelimit.Backoff(time.Minute),
		ratelimit.OnStoreError(func(string, error) { reported.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.GET("/x").Timeout(50*time.Millisecond).Use(lim.Handler).Mock(http.StatusOK, `{}`)
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	for i := range 2 {
		if res := c.Get("/x"); res.Status == http.StatusServiceUnavailable {
			t.Errorf("request %d: 503 %s, although the limiter fails open", i+1, res.Body)
		}
	}
	st := lim.Stats()
	if st.StoreErrors != 1 || st.FailedOpen != 2 || reported.Load() != 1 {
		t.Errorf("stats %+v, %d errors reported; want one store error, then a backoff, both requests failed open", st, reported.Load())
	}
}
