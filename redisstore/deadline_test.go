package redisstore

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/ratelimit"
)

// hungServer returns the address of a server that accepts connections and
// never answers; the connections are closed when the test ends.
func hungServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []net.Conn
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// deadlineClients are clients built in every way a user may build one,
// and whether each bounds a call by its context's deadline.
func deadlineClients(addr string) []struct {
	name    string
	client  redis.UniversalClient
	bounded bool
} {
	return []struct {
		name    string
		client  redis.UniversalClient
		bounded bool
	}{
		{"client", redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1}), false},
		{"client without read timeout", redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, ReadTimeout: -1}), false},
		{"client with deadlines disabled", redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1,
			ContextTimeoutEnabled: true, ReadTimeout: -2, WriteTimeout: -2}), false},
		{"client with context timeouts", redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1,
			ContextTimeoutEnabled: true}), true},
		{"client with context timeouts, no read timeout", redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1,
			ContextTimeoutEnabled: true, ReadTimeout: -1}), true},
		{"universal", redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr}, MaxRetries: -1}), false},
		{"universal with context timeouts", redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{addr},
			MaxRetries: -1, ContextTimeoutEnabled: true}), true},
		{"ring", redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addr}, MaxRetries: -1}), false},
		{"ring with context timeouts", redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addr},
			MaxRetries: -1, ContextTimeoutEnabled: true}), true},
		{"ring with deadlines disabled", redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": addr},
			MaxRetries: -1, ContextTimeoutEnabled: true, ReadTimeout: -2}), false},
		{"cluster", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr}, MaxRedirects: -1}), false},
		{"cluster with deadlines disabled", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{addr},
			MaxRedirects: -1, ContextTimeoutEnabled: true, WriteTimeout: -2}), false},
	}
}

// TestStoresNeverHang points the stores at a server that accepts
// connections and never answers, through clients built in every way: a
// store either refuses the client when it is created, or gives up on each
// call within its timeout. No call may wait for the client's own read
// timeout (seconds) or for ever.
func TestStoresNeverHang(t *testing.T) {
	addr := hungServer(t)
	for _, c := range deadlineClients(addr) {
		t.Run(c.name, func(t *testing.T) {
			defer func() { _ = c.client.Close() }()
			calls := map[string]func() error{}
			rl, rlErr := NewRateLimitStore(c.client, RateLimitConfig{})
			if rlErr == nil {
				lim, err := ratelimit.New(ratelimit.PerSecond(10), ratelimit.Name("hung"), ratelimit.WithStore(rl),
					ratelimit.FailClosed(), ratelimit.Timeout(100*time.Millisecond), ratelimit.Backoff(-1))
				if err != nil {
					t.Fatal(err)
				}
				calls["rate limit"] = func() error { _, err := lim.Allow(context.Background(), "k"); return err }
			}
			ks, ksErr := NewAPIKeyStore(c.client, APIKeyStoreConfig{Timeout: 100 * time.Millisecond})
			if ksErr == nil {
				calls["API key"] = func() error {
					_, err := ks.Lookup(context.Background(), auth.HashKey(auth.GenerateKey()))
					return err
				}
			}
			cs, csErr := NewCacheStore(c.client, CacheConfig{Timeout: 100 * time.Millisecond})
			if csErr == nil {
				calls["cache"] = func() error { _, err := cs.Get(context.Background(), "k"); return err }
			}
			bs, bsErr := NewBreakerStore(c.client, BreakerStoreConfig{Timeout: 100 * time.Millisecond})
			if bsErr == nil {
				calls["breaker"] = func() error { return bs.Lock("hung") }
			}
			for _, err := range []error{rlErr, ksErr, csErr, bsErr} {
				switch {
				case c.bounded && err != nil:
					t.Errorf("a client that honours deadlines was refused: %v", err)
				case !c.bounded && err == nil:
					t.Errorf("a client that does not honour deadlines was accepted")
				case err != nil && !strings.Contains(err.Error(), "ContextTimeoutEnabled"):
					t.Errorf("the refusal does not say what to change: %v", err)
				}
			}
			for name, call := range calls {
				done := make(chan error, 1)
				began := time.Now()
				go func() { done <- call() }()
				select {
				case err := <-done:
					if err == nil {
						t.Errorf("%s: a hung server answered", name)
					}
					if d := time.Since(began); d > 2*time.Second {
						t.Errorf("%s: the call took %v with a 100ms timeout", name, d)
					}
				case <-time.After(4 * time.Second): // under the client's 5s read timeout
					t.Errorf("%s: the call still waits after 4s with a 100ms timeout", name)
					_ = c.client.Close()
					<-done
				}
			}
		})
	}
}

// wrappedClient is a client type the stores cannot look into.
type wrappedClient struct{ *redis.Client }

func TestStoresRefuseUncheckableClients(t *testing.T) {
	c := wrappedClient{redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})}
	defer func() { _ = c.Close() }()
	if _, err := NewRateLimitStore(c, RateLimitConfig{}); err == nil {
		t.Error("NewRateLimitStore accepted a client it cannot check")
	}
	if _, err := NewAPIKeyStore(c, APIKeyStoreConfig{}); err == nil {
		t.Error("NewAPIKeyStore accepted a client it cannot check")
	}
	if _, err := NewCacheStore(c, CacheConfig{}); err == nil {
		t.Error("NewCacheStore accepted a client it cannot check")
	}
	if _, err := NewBreakerStore(c, BreakerStoreConfig{}); err == nil {
		t.Error("NewBreakerStore accepted a client it cannot check")
	}
}
