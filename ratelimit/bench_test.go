package ratelimit

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// benchKeys are the client keys the benchmarks and the allocation guard
// spread their decisions over.
var benchKeys = func() []string {
	keys := make([]string, 10_000)
	for i := range keys {
		keys[i] = "client-" + strconv.Itoa(i)
	}
	return keys
}()

// BenchmarkLimiterParallel decides requests for many keys from many
// goroutines through a Limiter with a throttle and a quota on a
// MemoryStore. Besides the wall time per decision it reports the CPU time
// per decision (cpu-ns/op), which other processes on a busy machine
// inflate less.
func BenchmarkLimiterParallel(b *testing.B) {
	lim := newLimiter(b, PerSecond(1_000_000).Burst(1_000_000), WithQuota(Monthly(1<<50)), ByHeader("X-Key"))
	for _, k := range benchKeys {
		_, _ = lim.Allow(ctx, k)
	}
	var seq atomic.Uint64
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(7919))
		for pb.Next() {
			i++
			if _, err := lim.Allow(ctx, benchKeys[i%len(benchKeys)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	if cpu > 0 {
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

func TestLimiterAllowDoesNotAllocate(t *testing.T) {
	c := newClock(epoch)
	lim := newLimiter(t, PerSecond(1000), WithQuota(Daily(1<<40)), Clock(c.Now))
	for _, k := range benchKeys[:100] {
		_, _ = lim.Allow(ctx, k)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		i++
		c.Advance(time.Millisecond)
		_, _ = lim.Allow(ctx, benchKeys[i%100])
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per decision", allocs)
	}
}
