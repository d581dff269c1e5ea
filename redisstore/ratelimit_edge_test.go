package redisstore

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/internal/redistest"
	"github.com/gatewaykit/gateway/ratelimit"
)

// TestRateLimitHugeQuota decides requests and quota updates with quotas up
// to ratelimit.MaxQuota, as the memory store does: the remaining quota is
// exact. Larger quotas, which the script cannot count exactly, are refused.
func TestRateLimitHugeQuota(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	for _, max := range []int64{ratelimit.MaxQuota + 1, 1<<53 + 1, math.MaxInt64} {
		q := ratelimit.Monthly(max)
		if q.Validate() == nil {
			t.Fatalf("%v is valid", q)
		}
		rs := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: "hqbad:"})
		if res, err := rs.Take(ctx, ratelimit.Request{Scope: "s", Key: "k", Quota: q}); err == nil {
			t.Fatalf("%v: Take decided %+v", q, res)
		}
		if st, err := rs.UpdateQuota(ctx, ratelimit.QuotaUpdate{Scope: "s", Key: "k", Quota: q}); err == nil {
			t.Fatalf("%v: UpdateQuota returned %+v", q, st)
		}
	}
	for i, max := range []int64{1 << 50, ratelimit.MaxQuota - 1, ratelimit.MaxQuota} {
		clk := &rlClock{}
		clk.us.Store(time.Date(2031, 5, 5, 12, 0, 0, 0, time.UTC).UnixMicro())
		rs := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: fmt.Sprintf("hq%d:", i)})
		rs.now = clk.Now
		ms, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		q := ratelimit.Monthly(max)
		req := ratelimit.Request{Scope: "s", Key: "k", Quota: q, RecordUsage: true}
		for j := range 3 {
			got, err1 := rs.Take(ctx, req)
			want, err2 := ms.Take(ctx, req)
			if err1 != nil || err2 != nil || got != want || !got.Allowed || got.QuotaRemaining != max-int64(j)-1 {
				t.Fatalf("quota %d take %d: redis %+v %v, memory %+v %v", max, j, got, err1, want, err2)
			}
		}
		u := ratelimit.QuotaUpdate{Scope: "s", Key: "k", Quota: q}
		got, err1 := rs.UpdateQuota(ctx, u)
		want, err2 := ms.UpdateQuota(ctx, u)
		if err1 != nil || err2 != nil || got != want || got.Remaining != max-3 {
			t.Fatalf("quota %d read: redis %+v %v, memory %+v %v", max, got, err1, want, err2)
		}
	}
}

// TestRateLimitHugeExtend extends and shrinks a quota by amounts near the
// largest int64: the stores agree, the counter saturates rather than
// wrapping, and an extension never leaves less than was there before.
func TestRateLimitHugeExtend(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	for i, ext := range [][]int64{
		{math.MaxInt64}, {math.MaxInt64, math.MaxInt64}, {-math.MaxInt64}, {math.MinInt64},
		{-math.MaxInt64, -math.MaxInt64}, {math.MaxInt64, math.MinInt64}, {1 << 60, 1 << 60, 1 << 60, 1 << 60},
	} {
		clk := &rlClock{}
		clk.us.Store(time.Date(2031, 5, 5, 12, 0, 0, 0, time.UTC).UnixMicro())
		rs := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: fmt.Sprintf("he%d:", i)})
		rs.now = clk.Now
		ms, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		q := ratelimit.Daily(1000)
		req := ratelimit.Request{Scope: "s", Key: "k", Quota: q}
		if _, err := rs.Take(ctx, req); err != nil {
			t.Fatal(err)
		}
		if _, err := ms.Take(ctx, req); err != nil {
			t.Fatal(err)
		}
		prev := int64(999)
		for _, e := range ext {
			u := ratelimit.QuotaUpdate{Scope: "s", Key: "k", Quota: q, Extend: e}
			got, err1 := rs.UpdateQuota(ctx, u)
			want, err2 := ms.UpdateQuota(ctx, u)
			if err1 != nil || err2 != nil || got != want {
				t.Fatalf("extend %v by %d: redis %+v %v, memory %+v %v", ext, e, got, err1, want, err2)
			}
			if e > 0 && got.Remaining < prev || e < 0 && got.Remaining > prev {
				t.Fatalf("extend %v by %d: remaining went from %d to %d", ext, e, prev, got.Remaining)
			}
			prev = got.Remaining
			gr, err1 := rs.Take(ctx, req)
			wr, err2 := ms.Take(ctx, req)
			if err1 != nil || err2 != nil || gr != wr || gr.Allowed != (prev > 0) {
				t.Fatalf("extend %v by %d then take: redis %+v %v, memory %+v %v", ext, e, gr, err1, wr, err2)
			}
			if gr.Allowed {
				prev = gr.QuotaRemaining
			}
		}
	}
}

// TestRateLimitScriptFlush keeps deciding after the scripts are flushed
// from Redis, as after a restart or a failover.
func TestRateLimitScriptFlush(t *testing.T) {
	srv := redistest.Start(t)
	c := rlClient(t, srv)
	s := rlStore(t, c, RateLimitConfig{Prefix: "flush:"})
	ctx := context.Background()
	q := ratelimit.Daily(10)
	req := ratelimit.Request{Scope: "s", Key: "k", Throttle: ratelimit.PerMinute(10), Quota: q, RecordUsage: true}
	for i := range 3 {
		if err := c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		res, err := s.Take(ctx, req)
		if err != nil || !res.Allowed || res.QuotaRemaining != int64(9-i) {
			t.Fatalf("take %d after SCRIPT FLUSH: %+v %v", i, res, err)
		}
		if err := c.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if st, err := s.UpdateQuota(ctx, ratelimit.QuotaUpdate{Scope: "s", Key: "k", Quota: q}); err != nil || st.Used != int64(i+1) {
			t.Fatalf("quota %d after SCRIPT FLUSH: %+v %v", i, st, err)
		}
	}
}

// TestRateLimitBoundaries decides requests on both sides of window
// boundaries (the last microsecond of a day, a week, a month, a leap year,
// in zones east and west of UTC) in both stores.
func TestRateLimitBoundaries(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	bounds := []time.Time{
		time.Date(2032, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2032, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2033, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 12, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 7, 1, 0, 0, 0, 0, time.UTC),
	}
	offsets := []time.Duration{0, -time.Minute, time.Minute, 14 * time.Hour, -12 * time.Hour, -(23*time.Hour + 59*time.Minute), 23*time.Hour + 59*time.Minute, 5*time.Hour + 45*time.Minute}
	n := 0
	for _, b := range bounds {
		for _, off := range offsets {
			for _, mk := range []func(int64) ratelimit.Quota{ratelimit.Daily, ratelimit.Weekly, ratelimit.Monthly} {
				q := mk(2).Offset(off)
				n++
				clk := &rlClock{}
				// b is midnight in UTC; the boundary in the quota's zone is b-off.
				clk.us.Store(b.Add(-off).UnixMicro() - 1)
				rs := rlStore(t, rlClient(t, srv), RateLimitConfig{Prefix: fmt.Sprintf("bd%d:", n)})
				rs.now = clk.Now
				ms, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{Now: clk.Now})
				if err != nil {
					t.Fatal(err)
				}
				req := ratelimit.Request{Scope: "s", Key: "k", Quota: q, RecordUsage: true}
				for i := range 6 {
					if i == 3 {
						clk.Advance(time.Microsecond)
					}
					got, err1 := rs.Take(ctx, req)
					want, err2 := ms.Take(ctx, req)
					if err1 != nil || err2 != nil || got != want {
						t.Fatalf("%v at %s: redis %+v %v, memory %+v %v", q, clk.Now().UTC(), got, err1, want, err2)
					}
					if !got.Allowed && got.RetryAfter <= 0 {
						t.Fatalf("%v at %s: refused with Retry-After %v", q, clk.Now().UTC(), got.RetryAfter)
					}
					start, end := q.Window(clk.Now())
					if !clk.Now().Before(end) || clk.Now().Before(start) {
						t.Fatalf("%v at %s: window %s..%s", q, clk.Now().UTC(), start, end)
					}
				}
			}
		}
	}
}

// TestRateLimitConcurrentOneKey sends many concurrent requests for one key:
// exactly the burst and the quota are admitted, no more.
func TestRateLimitConcurrentOneKey(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true, PoolSize: 32})
	t.Cleanup(func() { _ = c.Close() })
	s := rlStore(t, c, RateLimitConfig{Prefix: "conc:"})
	ms, err := ratelimit.NewMemoryStore(ratelimit.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		req  ratelimit.Request
		want int64
	}{
		{ratelimit.Request{Scope: "t", Key: "k", Throttle: ratelimit.PerHour(1).Burst(37)}, 37},
		{ratelimit.Request{Scope: "q", Key: "k", Quota: ratelimit.Daily(41)}, 41},
		{ratelimit.Request{Scope: "b", Key: "k", Throttle: ratelimit.PerHour(1).Burst(50), Quota: ratelimit.Daily(29)}, 29},
	} {
		for _, st := range []ratelimit.Store{s, ms} {
			var admitted atomic.Int64
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					for range 10 {
						res, err := st.Take(context.Background(), tc.req)
						if err != nil {
							t.Error(err)
							return
						}
						if res.Allowed {
							admitted.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if got := admitted.Load(); got != tc.want {
				t.Errorf("%T %v %v: %d admitted, want %d", st, tc.req.Throttle, tc.req.Quota, got, tc.want)
			}
		}
	}
}
