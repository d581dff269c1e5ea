package redisstore

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/internal/redistest"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/ratelimit"
)

func rlLimiter(t testing.TB, limit ratelimit.Limit, opts ...ratelimit.Option) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(limit, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestRateLimitSharedExact races two limiters, each with its own client as
// two gateway instances have, on one Redis: together they admit exactly
// the burst of a throttle and exactly the quota.
func TestRateLimitSharedExact(t *testing.T) {
	srv := redistest.Start(t)
	tests := []struct {
		name  string
		limit ratelimit.Limit
		quota ratelimit.Quota
		want  int64
	}{
		{"throttle", ratelimit.PerHour(40), ratelimit.Quota{}, 40},
		{"quota", ratelimit.PerSecond(100_000), ratelimit.Daily(25), 25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lims []*ratelimit.Limiter
			for range 2 {
				opts := []ratelimit.Option{ratelimit.Name("shared-" + tt.name), ratelimit.FailClosed(), ratelimit.Timeout(5 * time.Second),
					ratelimit.WithStore(rlStore(t, rlClient(t, srv), RateLimitConfig{}))}
				if !tt.quota.IsZero() {
					opts = append(opts, ratelimit.WithQuota(tt.quota))
				}
				lims = append(lims, rlLimiter(t, tt.limit, opts...))
			}
			var admitted, failed atomic.Int64
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for range 25 {
						res, err := lims[g%2].Allow(context.Background(), "client")
						if err != nil {
							failed.Add(1)
						}
						if res.Allowed {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if admitted.Load() != tt.want || failed.Load() != 0 {
				t.Fatalf("admitted %d (want %d), %d failures", admitted.Load(), tt.want, failed.Load())
			}
		})
	}
}

// TestRateLimitRedisOutage kills Redis under two limiters: the one that
// fails closed answers 503, the one that fails open decides with its
// local fallback, neither waits, and both recover once Redis is back.
func TestRateLimitRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	var mu sync.Mutex
	var now = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	var redisErrors atomic.Int64
	store := rlStore(t, rlClient(t, srv), RateLimitConfig{OnError: func(op string, err error) { redisErrors.Add(1) }})
	fallback, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clk})
	if err != nil {
		t.Fatal(err)
	}
	common := []ratelimit.Option{ratelimit.WithStore(store), ratelimit.Timeout(500 * time.Millisecond),
		ratelimit.Backoff(time.Second), ratelimit.Clock(clk)}
	closed := rlLimiter(t, ratelimit.PerMinute(100), append(common, ratelimit.Name("closed"), ratelimit.FailClosed())...)
	open := rlLimiter(t, ratelimit.PerMinute(2), append(common, ratelimit.Name("open"), ratelimit.FailOpen(fallback))...)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})

	type outcome struct {
		code     int
		decision string
	}
	do := func(l *ratelimit.Limiter) (outcome, *httptest.ResponseRecorder) {
		info := &reqctx.Info{}
		r := httptest.NewRequest("GET", "/", nil)
		r = r.WithContext(reqctx.With(r.Context(), info))
		rec := httptest.NewRecorder()
		l.Handler(ok).ServeHTTP(rec, r)
		return outcome{rec.Code, info.LimitDecision}, rec
	}
	expect := func(step string, l *ratelimit.Limiter, want outcome) *httptest.ResponseRecorder {
		t.Helper()
		got, rec := do(l)
		if got != want {
			t.Fatalf("%s: got %+v, want %+v", step, got, want)
		}
		return rec
	}

	expect("closed, healthy", closed, outcome{200, "allowed"})
	expect("open, healthy", open, outcome{200, "allowed"})

	srv.Stop()
	began := time.Now()
	rec := expect("closed, Redis down", closed, outcome{503, "fail-closed"})
	if rec.Header().Get("Content-Type") != "application/problem+json" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("503 without problem or Retry-After: %v", rec.Header())
	}
	expect("closed, backing off", closed, outcome{503, "fail-closed"})
	expect("open, fallback 1", open, outcome{200, "fail-open"})
	expect("open, fallback 2", open, outcome{200, "fail-open"})
	expect("open, fallback throttles", open, outcome{429, "throttled"})
	if d := time.Since(began); d > 3*time.Second {
		t.Fatalf("decisions during the outage took %v", d)
	}
	if s := closed.Stats(); s.FailedClosed != 2 || s.StoreErrors != 1 {
		t.Fatalf("closed stats %+v", s)
	}
	if redisErrors.Load() != 2 {
		t.Fatalf("Redis errors reported: %d, want one per limiter", redisErrors.Load())
	}

	srv.Start()
	// Redis is back; each limiter asks again once its backoff is over.
	recovered := false
	for try := 0; try < 3 && !recovered; try++ {
		advance(2 * time.Second)
		got, _ := do(closed)
		recovered = got == outcome{200, "allowed"}
	}
	if !recovered {
		t.Fatal("the fail-closed limiter did not recover")
	}
	// The open limiter's Redis bucket kept the token taken before the
	// outage, and has refilled since; its decisions are Redis's again.
	advance(2 * time.Second)
	for i := 0; i < 3; i++ {
		if got, _ := do(open); got.decision == "allowed" {
			return
		}
		advance(2 * time.Second)
	}
	t.Fatal("the fail-open limiter did not recover")
}

func TestRateLimitTooFast(t *testing.T) {
	srv := redistest.Start(t)
	s := rlStore(t, rlClient(t, srv), RateLimitConfig{})
	_, err := s.Take(context.Background(), ratelimit.Request{Scope: "s", Key: "k", Throttle: ratelimit.PerSecond(2_000_000)})
	if !errors.Is(err, errTooFast) {
		t.Fatalf("err = %v", err)
	}
}

// BenchmarkLimiterRedis decides requests for many keys from many
// goroutines through a Limiter on a real Redis: one round trip each.
func BenchmarkLimiterRedis(b *testing.B) {
	srv := redistest.Start(b)
	lim := rlLimiter(b, ratelimit.PerSecond(1_000_000), ratelimit.Name("bench"), ratelimit.WithQuota(ratelimit.Monthly(1<<50)),
		ratelimit.WithStore(rlStore(b, rlClient(b, srv), RateLimitConfig{})), ratelimit.FailClosed(), ratelimit.Timeout(5*time.Second))
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = "client-" + strconv.Itoa(i)
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(7919))
		for pb.Next() {
			i++
			if _, err := lim.Allow(context.Background(), keys[i%len(keys)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestRateLimitHungRedis points a limiter at a server that accepts
// connections and never answers: each decision gives up after the
// limiter's Timeout and applies the policy, so no request hangs.
func TestRateLimitHungRedis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	done := make(chan struct{})
	conns.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { <-done; _ = c.Close() })
		}
	})
	t.Cleanup(func() { _ = ln.Close(); close(done); conns.Wait() })

	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	lim := rlLimiter(t, ratelimit.PerSecond(10), ratelimit.Name("hung"), ratelimit.FailClosed(),
		ratelimit.WithStore(rlStore(t, client, RateLimitConfig{})), ratelimit.Timeout(100*time.Millisecond), ratelimit.Backoff(-1))
	for i := 0; i < 3; i++ {
		began := time.Now()
		_, err := lim.Allow(context.Background(), "k")
		if !errors.Is(err, ratelimit.ErrUnavailable) {
			t.Fatalf("decision %d: %v", i, err)
		}
		if d := time.Since(began); d > 2*time.Second {
			t.Fatalf("decision %d took %v with a 100ms timeout", i, d)
		}
	}
}
