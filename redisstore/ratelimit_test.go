package redisstore

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/internal/redistest"
	"github.com/gatewaykit/gateway/ratelimit"
)

// rlClient returns a client of srv as a gateway should configure it:
// context deadlines honoured, quick dials, no retries.
func rlClient(t testing.TB, srv *redistest.Server) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), ContextTimeoutEnabled: true,
		DialTimeout: 100 * time.Millisecond, MaxRetries: -1,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func rlStore(t testing.TB, c redis.UniversalClient, cfg RateLimitConfig) *RateLimitStore {
	t.Helper()
	s, err := NewRateLimitStore(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rlClock is a settable clock.
type rlClock struct{ us atomic.Int64 }

func (c *rlClock) Now() time.Time          { return time.UnixMicro(c.us.Load()) }
func (c *rlClock) Advance(d time.Duration) { c.us.Add(d.Microseconds()) }

// TestRateLimitStoreMatchesMemory drives the Redis store and the memory
// store with the same random requests over simulated time, across day,
// week and month boundaries, and requires identical decisions, quota
// updates and usage reports.
func TestRateLimitStoreMatchesMemory(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	rates := []int64{1, 2, 4, 5, 8, 10, 20, 25, 50, 100, 1000}
	periods := []func(int64) ratelimit.Quota{ratelimit.Daily, ratelimit.Weekly, ratelimit.Monthly}
	var reasons [3]int
	defer func() {
		if reasons[ratelimit.Throttled] == 0 || reasons[ratelimit.QuotaExhausted] == 0 {
			t.Errorf("the random requests never met a refusal of each kind: %v", reasons)
		}
	}()
	for seed := uint64(0); seed < 12; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		clk := &rlClock{}
		// In the future, so that the keys' absolute expiry, which Redis
		// measures on its own clock, is too.
		clk.us.Store(time.Date(2031, 1, 31, 20, 0, 0, 0, time.UTC).UnixMicro() + rng.Int64N(int64(40*24*time.Hour/time.Microsecond)))
		rs := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: fmt.Sprintf("prop%d:", seed), UsageDays: 30})
		rs.now = clk.Now
		ms, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clk.Now, UsageDays: 30})
		if err != nil {
			t.Fatal(err)
		}
		quota := periods[rng.IntN(3)](1 + rng.Int64N(40)).Offset(time.Duration(rng.IntN(48)-24) * 30 * time.Minute)
		req := ratelimit.Request{Scope: "s", Throttle: ratelimit.PerSecond(rates[rng.IntN(len(rates))]).Burst(rng.Int64N(10)),
			Quota: quota, RecordUsage: true}
		if rng.IntN(4) == 0 {
			req.Throttle = ratelimit.Limit{}
		}
		if err := quota.Validate(); err != nil {
			t.Fatal(err)
		}
		start := clk.Now()
		for i := 0; i < 300; i++ {
			req.Key = fmt.Sprint("k", rng.IntN(3))
			req.N = 1 + rng.Int64N(2)
			switch rng.IntN(10) {
			case 0:
				clk.Advance(time.Duration(rng.Int64N(int64(50 * time.Hour))))
			case 1, 2, 3:
				clk.Advance(time.Duration(rng.Int64N(int64(2 * time.Second))))
			case 4:
				u := ratelimit.QuotaUpdate{Scope: "s", Key: req.Key, Quota: quota, Reset: rng.IntN(2) == 0, Extend: rng.Int64N(5) - 2}
				got, err1 := rs.UpdateQuota(ctx, u)
				want, err2 := ms.UpdateQuota(ctx, u)
				if err1 != nil || err2 != nil || got != want {
					t.Fatalf("seed %d step %d: update %+v: redis %+v %v, memory %+v %v", seed, i, u, got, err1, want, err2)
				}
				continue
			}
			got, err1 := rs.Take(ctx, req)
			want, err2 := ms.Take(ctx, req)
			reasons[want.Reason]++
			if err1 != nil || err2 != nil || got != want {
				t.Fatalf("seed %d step %d at %s, %v %v: redis %+v %v, memory %+v %v",
					seed, i, clk.Now().UTC(), req.Throttle, req.Quota, got, err1, want, err2)
			}
		}
		for k := 0; k < 3; k++ {
			q := ratelimit.UsageQuery{Scope: "s", Key: fmt.Sprint("k", k), Offset: quota.UTCOffset(), From: start, To: clk.Now()}
			got, err1 := rs.Usage(ctx, q)
			want, err2 := ms.Usage(ctx, q)
			if err1 != nil || err2 != nil || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("seed %d usage: redis %v %v, memory %v %v", seed, got, err1, want, err2)
			}
		}
	}
}

// TestRateLimitWindowsMatchGo checks that the script's calendar windows
// are those of ratelimit.Quota.Window, around month ends, leap days, year
// ends and far from today.
func TestRateLimitWindowsMatchGo(t *testing.T) {
	srv := redistest.Start(t)
	s := rlStore(t, rlClient(t, srv), RateLimitConfig{})
	var at time.Time
	s.now = func() time.Time { return at }
	rng := rand.New(rand.NewPCG(3, 4))
	instants := []time.Time{
		time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), time.Date(2100, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 1, 0, 0, 0, time.UTC), time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC),
	}
	for range 200 {
		instants = append(instants, time.Unix(1_000_000_000+rng.Int64N(3_000_000_000), 0))
	}
	for i, tm := range instants {
		at = tm
		q := []ratelimit.Quota{ratelimit.Daily(1), ratelimit.Weekly(1), ratelimit.Monthly(1)}[i%3].
			Offset(time.Duration(rng.IntN(24*60*2-1)-(24*60-1)) * time.Minute)
		st, err := s.UpdateQuota(context.Background(), ratelimit.QuotaUpdate{Scope: "w", Key: "k", Quota: q})
		if err != nil {
			t.Fatal(err)
		}
		start, end := q.Window(tm)
		if !st.Start.Equal(start) || !st.End.Equal(end) {
			t.Fatalf("%v at %s: script %s..%s, Go %s..%s", q, tm.UTC(), st.Start, st.End, start, end)
		}
	}
}

func TestNewRateLimitStoreErrors(t *testing.T) {
	if _, err := NewRateLimitStore(nil, RateLimitConfig{}); err == nil {
		t.Fatal("nil client accepted")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	for _, days := range []int{-1, ratelimit.MaxUsageDays + 1} {
		if _, err := NewRateLimitStore(c, RateLimitConfig{UsageDays: days}); err == nil {
			t.Fatalf("UsageDays %d accepted", days)
		}
	}
	for _, prefix := range []string{"rl{}:", "{}"} {
		if _, err := NewRateLimitStore(c, RateLimitConfig{Prefix: prefix}); err == nil {
			t.Fatalf("Prefix %q with an empty hash tag accepted", prefix)
		}
	}
	if _, err := NewRateLimitStore(c, RateLimitConfig{Prefix: "rl:{limits}:"}); err != nil {
		t.Fatal(err)
	}
}

// TestRateLimitQuotaExhaustedWhileThrottled: a request both the throttle
// and a used-up quota refuse is the quota's refusal, with a Retry-After at
// the end of the window, as in the memory store.
func TestRateLimitQuotaExhaustedWhileThrottled(t *testing.T) {
	srv := redistest.Start(t)
	s := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: "qt:"})
	clk := &rlClock{}
	clk.us.Store(time.Date(2031, 3, 10, 12, 0, 0, 0, time.UTC).UnixMicro())
	s.now = clk.Now
	req := ratelimit.Request{Scope: "s", Key: "k", Throttle: ratelimit.PerSecond(1), Quota: ratelimit.Daily(2)}
	for i := range 2 {
		if res, err := s.Take(context.Background(), req); err != nil || !res.Allowed {
			t.Fatalf("request %d: %+v %v", i, res, err)
		}
		clk.Advance(time.Second)
	}
	clk.Advance(-900 * time.Millisecond)
	res, err := s.Take(context.Background(), req)
	if err != nil || res.Allowed || res.Reason != ratelimit.QuotaExhausted || res.RetryAfter != 12*time.Hour-1100*time.Millisecond {
		t.Fatalf("refused with %+v %v, want the quota's refusal until midnight", res, err)
	}
}

// TestRateLimitOnCluster decides requests on Redis Cluster for keys of
// every shape, including the empty key of a limit for everyone and keys a
// client may choose that would empty a naive hash tag: each decision must
// keep all of its key's state in one slot, or the cluster refuses it and
// the limiter fails open (by default) for every client.
func TestRateLimitOnCluster(t *testing.T) {
	c := startCluster(t)
	s := rlStore(t, c, RateLimitConfig{})
	ctx := context.Background()
	q := ratelimit.Daily(10)
	for _, key := range []string{"", "}", "}x", "a}b", "{", "{}", "x{y}z", "plain"} {
		req := ratelimit.Request{Scope: "limit:api", Key: key, Throttle: ratelimit.PerSecond(5), Quota: q, RecordUsage: true}
		if res, err := s.Take(ctx, req); err != nil || !res.Allowed {
			t.Errorf("key %q: Take: %+v %v", key, res, err)
		}
		if _, err := s.UpdateQuota(ctx, ratelimit.QuotaUpdate{Scope: "limit:api", Key: key, Quota: q, Extend: 1}); err != nil {
			t.Errorf("key %q: UpdateQuota: %v", key, err)
		}
		now := time.Now()
		if u, err := s.Usage(ctx, ratelimit.UsageQuery{Scope: "limit:api", Key: key, From: now, To: now}); err != nil || len(u) != 1 || u[0].Requests != 1 {
			t.Errorf("key %q: Usage: %v %v", key, u, err)
		}
	}
}

// TestRateLimitHugeCost decides requests costing more than a bucket or a
// quota holds, up to the largest int64, as the memory store does: refused,
// with a Retry-After that is not negative, and no state changed.
func TestRateLimitHugeCost(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	for i, n := range []int64{11, math.MaxInt64 / 2, math.MaxInt64} {
		clk := &rlClock{}
		clk.us.Store(time.Date(2031, 5, 5, 12, 0, 0, 0, time.UTC).UnixMicro())
		rs := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: fmt.Sprintf("huge%d:", i)})
		rs.now = clk.Now
		ms, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		for _, req := range []ratelimit.Request{
			{Scope: "t", Key: "k", Throttle: ratelimit.PerSecond(10), N: n},
			{Scope: "q", Key: "k", Quota: ratelimit.Daily(5), N: n},
			{Scope: "b", Key: "k", Throttle: ratelimit.PerSecond(10), Quota: ratelimit.Daily(5), N: n},
		} {
			got, err1 := rs.Take(ctx, req)
			want, err2 := ms.Take(ctx, req)
			if err1 != nil || err2 != nil || got != want || got.Allowed || got.RetryAfter < 0 {
				t.Fatalf("cost %d %v %v: redis %+v %v, memory %+v %v", n, req.Throttle, req.Quota, got, err1, want, err2)
			}
			req.N = 1
			got, err1 = rs.Take(ctx, req)
			want, err2 = ms.Take(ctx, req)
			if err1 != nil || err2 != nil || got != want || !got.Allowed {
				t.Fatalf("after cost %d %v %v: redis %+v %v, memory %+v %v", n, req.Throttle, req.Quota, got, err1, want, err2)
			}
		}
	}
}
