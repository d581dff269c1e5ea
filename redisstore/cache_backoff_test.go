package redisstore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/internal/testclock"
)

// busyScript keeps Redis busy for ARGV[1] microseconds, as a slow command
// or a stalled server would: every other client waits meanwhile.
var busyScript = redis.NewScript(`
local function us() local t = redis.call('TIME') return tonumber(t[1]) * 1000000 + tonumber(t[2]) end
local stop = us() + tonumber(ARGV[1])
while us() < stop do end
return 1
`)

// stallRedis keeps the server of client busy for d and returns once a
// request to it has been seen to time out; the returned channel is closed
// when the server answers again.
func stallRedis(t *testing.T, client *redis.Client, addr string, d time.Duration) <-chan struct{} {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = busyScript.Run(context.Background(), client, nil, d.Microseconds()).Err()
	}()
	probe := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, MaxRetries: -1})
	defer probe.Close()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		err := probe.Ping(ctx).Err()
		cancel()
		if err != nil {
			return done
		}
		select {
		case <-done:
			t.Fatal("the server was never seen busy")
		default:
		}
	}
}

// TestCacheWriteInvalidatesWhileBackingOff makes one lookup of a gateway
// instance time out, as a brief stall of Redis does, so that the instance
// backs off from the store; a write it then serves must still invalidate
// the shared entry, or every instance serves the old response until it
// expires.
func TestCacheWriteInvalidatesWhileBackingOff(t *testing.T) {
	s, srv, _ := newCacheStore(t, CacheConfig{Timeout: 50 * time.Millisecond})
	var calls atomic.Int64
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_, _ = w.Write([]byte("call " + strconv.FormatInt(n, 10)))
	})
	clk := testclock.New(time.Now())
	newInstance := func() http.Handler {
		c, err := cache.New(cache.WithStore(s), cache.Now(clk.Now), cache.StoreBackoff(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c.Handler(upstream)
	}
	a, b := newInstance(), newInstance()
	do := func(h http.Handler, method string) (string, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, "/users/1", nil))
		return rec.Header().Get(cache.HeaderXCache), rec.Body.String()
	}
	if xc, body := do(a, "GET"); xc != cache.StatusMiss || body != "call 1" {
		t.Fatalf("first GET: %s %q", xc, body)
	}
	other := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer other.Close()
	done := stallRedis(t, other, srv.Addr(), 300*time.Millisecond)
	if xc, _ := do(a, "GET"); xc != cache.StatusMiss {
		t.Fatalf("GET while Redis stalls: %s, want a miss", xc)
	}
	<-done
	do(a, "PUT") // the resource changes; instance a is backing off
	if xc, body := do(b, "GET"); xc != cache.StatusMiss {
		t.Errorf("GET on another instance after the write: %s %q, want a miss", xc, body)
	}
	clk.Advance(2 * time.Minute)
	if xc, body := do(a, "GET"); xc == cache.StatusHit && body == "call 1" {
		t.Errorf("GET after the backoff: %s %q, the response from before the write", xc, body)
	}
}
