package ratelimit

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

func take(t *testing.T, s Store, req Request) Result {
	t.Helper()
	res, err := s.Take(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestMemoryThrottle(t *testing.T) {
	c := newClock(epoch)
	s := memStore(t, c, 0)
	req := Request{Scope: "s", Key: "k", Throttle: PerSecond(10).Burst(3)}
	type step struct {
		advance   time.Duration
		allowed   bool
		remaining int64
		retry     time.Duration
		reset     time.Duration
	}
	steps := []step{
		{0, true, 2, 0, 100 * time.Millisecond},
		{0, true, 1, 0, 200 * time.Millisecond},
		{0, true, 0, 0, 300 * time.Millisecond},
		{0, false, 0, 100 * time.Millisecond, 300 * time.Millisecond},
		{50 * time.Millisecond, false, 0, 50 * time.Millisecond, 250 * time.Millisecond},
		{50 * time.Millisecond, true, 0, 0, 300 * time.Millisecond},
		{time.Second, true, 2, 0, 100 * time.Millisecond},
	}
	for i, st := range steps {
		c.Advance(st.advance)
		res := take(t, s, req)
		if res.Allowed != st.allowed || res.Remaining != st.remaining || res.RetryAfter != st.retry || res.Reset != st.reset {
			t.Fatalf("step %d: got %+v, want %+v", i, res, st)
		}
		if !res.Allowed && res.Reason != Throttled {
			t.Fatalf("step %d: reason %v", i, res.Reason)
		}
	}
	// Another key and another scope have their own buckets.
	if !take(t, s, Request{Scope: "s", Key: "other", Throttle: req.Throttle}).Allowed ||
		!take(t, s, Request{Scope: "t", Key: "k", Throttle: req.Throttle}).Allowed {
		t.Fatal("buckets are not separate")
	}
	// A cost larger than the bucket is never admitted.
	if take(t, s, Request{Scope: "s", Key: "big", N: 4, Throttle: req.Throttle}).Allowed {
		t.Fatal("admitted more than the burst at once")
	}
}

func TestMemoryQuota(t *testing.T) {
	c := newClock(epoch)
	s := memStore(t, c, 0)
	q := Daily(3)
	req := Request{Scope: "p", Key: "k", Throttle: PerSecond(1).Burst(2), Quota: q, RecordUsage: true}

	r1 := take(t, s, req)
	r2 := take(t, s, req)
	r3 := take(t, s, req) // throttled: must not count against the quota
	if !r1.Allowed || !r2.Allowed || r3.Allowed || r3.Reason != Throttled {
		t.Fatalf("decisions %v %v %v", r1, r2, r3)
	}
	if r2.QuotaRemaining != 1 || r3.QuotaRemaining != 1 || r2.QuotaReset != 12*time.Hour {
		t.Fatalf("quota state %+v %+v", r2, r3)
	}
	c.Advance(time.Second)
	if r := take(t, s, req); !r.Allowed || r.QuotaRemaining != 0 {
		t.Fatalf("third request %+v", r)
	}
	c.Advance(time.Second)
	r := take(t, s, req)
	if r.Allowed || r.Reason != QuotaExhausted || r.RetryAfter != 12*time.Hour-2*time.Second {
		t.Fatalf("quota refusal %+v", r)
	}
	// The quota refusal took no token: the bucket still holds two after
	// two seconds, one refilled per second.
	if r.Remaining != 1 {
		t.Fatalf("remaining tokens %d after quota refusal", r.Remaining)
	}

	st, err := s.UpdateQuota(ctx, QuotaUpdate{Scope: "p", Key: "k", Quota: q, Extend: 2})
	if err != nil || st.Used != 1 || st.Remaining != 2 {
		t.Fatalf("extend: %+v %v", st, err)
	}
	if !take(t, s, req).Allowed {
		t.Fatal("extension not honoured")
	}
	st, _ = s.UpdateQuota(ctx, QuotaUpdate{Scope: "p", Key: "k", Quota: q, Reset: true})
	if st.Used != 0 || st.Remaining != 3 || !st.Start.Equal(time.Date(2025, 1, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("reset: %+v", st)
	}

	// The next day starts a fresh window.
	c.Advance(12 * time.Hour)
	for i := 0; i < 3; i++ {
		c.Advance(time.Second)
		if !take(t, s, req).Allowed {
			t.Fatalf("request %d of the new day refused", i)
		}
	}
	st, _ = s.UpdateQuota(ctx, QuotaUpdate{Scope: "p", Key: "k", Quota: q})
	if st.Used != 3 || st.Remaining != 0 {
		t.Fatalf("read: %+v", st)
	}

	days, err := s.Usage(ctx, UsageQuery{Scope: "p", Key: "k", From: epoch.AddDate(0, 0, -1), To: epoch.AddDate(0, 0, 2)})
	if err != nil {
		t.Fatal(err)
	}
	want := []DailyUsage{{"2025-01-14", 0}, {"2025-01-15", 4}, {"2025-01-16", 3}, {"2025-01-17", 0}}
	if fmt.Sprint(days) != fmt.Sprint(want) {
		t.Fatalf("usage %v, want %v", days, want)
	}
	if _, err := s.Usage(ctx, UsageQuery{From: epoch, To: epoch.AddDate(2, 0, 0)}); err == nil {
		t.Fatal("two-year report accepted")
	}
	if _, err := s.UpdateQuota(ctx, QuotaUpdate{Scope: "p", Key: "k"}); err == nil {
		t.Fatal("update without quota accepted")
	}
}

func TestMemoryUsageRetention(t *testing.T) {
	c := newClock(epoch)
	s, err := NewMemoryStore(MemoryOptions{UsageDays: 3, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Scope: "p", Key: "k", Quota: Daily(100).Offset(-13 * time.Hour), RecordUsage: true}
	for i := 0; i < 5; i++ {
		for j := 0; j <= i; j++ {
			take(t, s, req)
		}
		c.Advance(24 * time.Hour)
	}
	// 12:00 UTC on the 15th is 23:00 on the 14th at UTC-13.
	days, _ := s.Usage(ctx, UsageQuery{Scope: "p", Key: "k", Offset: -13 * time.Hour, From: epoch, To: epoch.AddDate(0, 0, 4)})
	want := []DailyUsage{{"2025-01-14", 0}, {"2025-01-15", 0}, {"2025-01-16", 3}, {"2025-01-17", 4}, {"2025-01-18", 5}}
	if fmt.Sprint(days) != fmt.Sprint(want) {
		t.Fatalf("usage %v, want %v", days, want)
	}
}

func TestMemoryOptions(t *testing.T) {
	for _, o := range []MemoryOptions{{MaxKeys: -1}, {UsageDays: -1}, {UsageDays: MaxUsageDays + 1}} {
		if _, err := NewMemoryStore(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	for _, n := range []int{1, 5, 64, 100, 1000} {
		s, err := NewMemoryStore(MemoryOptions{MaxKeys: n})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3*n; i++ {
			_, _ = s.Take(ctx, Request{Key: strconv.Itoa(i), Throttle: PerSecond(1)})
		}
		if got := s.Len(); got > n || got < n/2 {
			t.Errorf("MaxKeys %d: tracking %d keys", n, got)
		}
	}
}

func TestMemoryFloodKeepsSteadyKeys(t *testing.T) {
	c := newClock(epoch)
	s := memStore(t, c, 6400)
	lim := PerMinute(1)
	// Fill the store with keys whose buckets are not full.
	for i := 0; i < 10_000; i++ {
		take(t, s, Request{Key: "busy" + strconv.Itoa(i), Throttle: lim})
	}
	// A steady key used twice is referenced; a flood cannot push it out.
	steady := Request{Key: "steady", Throttle: PerMinute(1).Burst(2)}
	take(t, s, steady)
	take(t, s, steady)
	for i := 0; i < 100_000; i++ {
		take(t, s, Request{Key: "flood" + strconv.Itoa(i), Throttle: lim})
		if i%7 == 0 {
			if r := take(t, s, steady); r.Allowed {
				t.Fatalf("steady key forgotten after %d flood keys", i)
			}
		}
	}
	if s.Len() > 6400 {
		t.Fatalf("tracking %d keys", s.Len())
	}
}

// TestMemoryBoundUnderFlood sends a million distinct keys, as an attacker
// varying a header would, and checks the store stays within its bound in
// keys and in memory.
func TestMemoryBoundUnderFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("a million keys")
	}
	const maxKeys = 10_000
	c := newClock(epoch)
	s := memStore(t, c, maxKeys)
	req := Request{Scope: "flood", Throttle: PerSecond(5), Quota: Daily(100)}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	buf := make([]byte, 0, 32)
	for i := 0; i < 1_000_000; i++ {
		buf = strconv.AppendInt(append(buf[:0], "client-"...), int64(i), 10)
		req.Key = string(buf)
		if _, err := s.Take(ctx, req); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 0 {
			c.Advance(time.Millisecond)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if n := s.Len(); n > maxKeys {
		t.Fatalf("tracking %d keys, bound %d", n, maxKeys)
	}
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	if limit := int64(maxKeys * 600); grown > limit {
		t.Fatalf("heap grew by %d bytes for %d keys (limit %d)", grown, maxKeys, limit)
	}
	t.Logf("heap grew by %d bytes (%d per tracked key)", grown, grown/maxKeys)
}

func TestMemoryTakeDoesNotAllocate(t *testing.T) {
	c := newClock(epoch)
	s := memStore(t, c, 0)
	reqs := []Request{
		{Scope: "s", Key: "throttle", Throttle: PerSecond(1000)},
		{Scope: "s", Key: "quota", Throttle: PerSecond(1000), Quota: Monthly(1 << 40)},
		{Scope: "s", Key: "usage", Quota: Monthly(1 << 40), RecordUsage: true},
	}
	for _, req := range reqs {
		take(t, s, req)
		allocs := testing.AllocsPerRun(1000, func() {
			c.Advance(time.Millisecond)
			_, _ = s.Take(ctx, req)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per decision", req.Key, allocs)
		}
	}
}

// TestMemoryConcurrentExact hammers one key from many goroutines at fixed
// instants: exactly the burst is admitted, then exactly the refill.
func TestMemoryConcurrentExact(t *testing.T) {
	c := newClock(epoch)
	s := memStore(t, c, 0)
	req := Request{Scope: "s", Key: "k", Throttle: PerSecond(50).Burst(100), Quota: Daily(180)}
	hammer := func() int {
		var mu sync.Mutex
		admitted := 0
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n := 0
				for i := 0; i < 200; i++ {
					if r, _ := s.Take(ctx, req); r.Allowed {
						n++
					}
				}
				mu.Lock()
				admitted += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		return admitted
	}
	if n := hammer(); n != 100 {
		t.Fatalf("admitted %d at once, want the burst 100", n)
	}
	c.Advance(time.Second)
	if n := hammer(); n != 50 {
		t.Fatalf("admitted %d after a second, want 50", n)
	}
	c.Advance(10 * time.Second)
	if n := hammer(); n != 30 {
		t.Fatalf("admitted %d, want the 30 left in the quota", n)
	}
}

// TestHashCollisionTakesOver forges two keys with one hash: the second
// takes the entry over with fresh state instead of sharing the first's.
func TestHashCollisionTakesOver(t *testing.T) {
	var sh shard
	sh.max = 4
	a, b := tableKey{"s", "a"}, tableKey{"s", "b"}
	sh.get(&a, 42, 0, true).tat = 99
	if st := sh.get(&b, 42, 0, false); st != nil {
		t.Fatal("lookup of a colliding key found the other key's state")
	}
	if st := sh.get(&b, 42, 0, true); st.tat != 0 {
		t.Fatalf("colliding key inherited state %+v", st)
	}
	if st := sh.get(&a, 42, 0, false); st != nil || len(sh.index) != 1 {
		t.Fatal("the displaced key is still tracked")
	}
}

// TestMemoryHugeCost sends requests costing more tokens than a bucket or
// a quota holds, up to the largest int64, as a cost taken from a client
// (a body size) could: they are refused without overflowing the state,
// and ordinary requests are decided as before.
func TestMemoryHugeCost(t *testing.T) {
	for _, n := range []int64{11, math.MaxInt64 / 100_000_000, math.MaxInt64 / 2, math.MaxInt64} {
		c := newClock(epoch)
		s := memStore(t, c, 0)
		throttle := Request{Scope: "t", Key: "k", Throttle: PerSecond(10), N: n}
		quota := Request{Scope: "q", Key: "k", Quota: Daily(5), N: n}
		for _, req := range []Request{throttle, quota} {
			if res := take(t, s, req); res.Allowed || res.Reason == Admitted || res.RetryAfter < 0 {
				t.Fatalf("cost %d, %v %v: %+v", n, req.Throttle, req.Quota, res)
			}
		}
		throttle.N, quota.N = 1, 1
		for i := range 10 {
			if res := take(t, s, throttle); !res.Allowed {
				t.Fatalf("cost %d: throttled request %d refused: %+v", n, i, res)
			}
		}
		if res := take(t, s, throttle); res.Allowed {
			t.Fatalf("cost %d: eleventh request admitted", n)
		}
		for i := range 5 {
			if res := take(t, s, quota); !res.Allowed {
				t.Fatalf("cost %d: quota request %d refused: %+v", n, i, res)
			}
		}
		if res := take(t, s, quota); res.Allowed {
			t.Fatalf("cost %d: sixth request admitted", n)
		}
	}
}
