package ratelimit

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestPropertyNeverExceeds checks, for random limits and random arrival
// patterns over simulated time, the token bucket's guarantee: between any
// two admitted requests i and j, at most burst + elapsed/interval were
// admitted, and a client that keeps asking is never refused while a token
// is available.
func TestPropertyNeverExceeds(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		rate := 1 + rng.Int64N(50)
		period := time.Duration(1+rng.Int64N(5000)) * time.Millisecond
		burst := rng.Int64N(20) // 0 means the rate
		lim := Every(rate, period).Burst(burst)
		if lim.Validate() != nil {
			continue
		}
		iv := int64(lim.Interval())
		c := newClock(epoch)
		s := memStore(t, c, 0)
		req := Request{Key: "k", Throttle: lim}

		var admitted []int64
		tokens := float64(lim.Capacity()) // an independent bucket model
		last := c.Now().UnixNano()
		for i := 0; i < 400; i++ {
			// Bursts of simultaneous requests, quiet spells, steady drips.
			switch rng.IntN(4) {
			case 0:
			case 1:
				c.Advance(time.Duration(rng.Int64N(iv + 1)))
			case 2:
				c.Advance(time.Duration(rng.Int64N(10 * iv)))
			default:
				c.Advance(time.Duration(iv))
			}
			now := c.Now().UnixNano()
			tokens = min(tokens+float64(now-last)/float64(iv), float64(lim.Capacity()))
			last = now
			res := take(t, s, req)
			if res.Allowed {
				admitted = append(admitted, now)
				tokens--
			}
			// The model and the store agree up to rounding at a token's edge.
			if res.Allowed && tokens < -1e-6 || !res.Allowed && tokens >= 1+1e-6 {
				t.Fatalf("seed %d %v: allowed=%v with %.6f tokens in the model", seed, lim, res.Allowed, tokens+b2f(res.Allowed))
			}
			if !res.Allowed && res.RetryAfter <= 0 {
				t.Fatalf("seed %d: refused with RetryAfter %v", seed, res.RetryAfter)
			}
		}
		for i := range admitted {
			for j := i; j < len(admitted); j++ {
				if n := int64(j - i + 1); n > lim.Capacity()+(admitted[j]-admitted[i])/iv {
					t.Fatalf("seed %d %v: %d admitted within %v", seed, lim, n, time.Duration(admitted[j]-admitted[i]))
				}
			}
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// TestPropertyGreedyClientGetsExactly checks the other side: a client that
// asks at every interval over a simulated span gets exactly the burst plus
// one request per interval, no fewer.
func TestPropertyGreedyClientGetsExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		lim := PerSecond(1 + rng.Int64N(1000)).Burst(1 + rng.Int64N(500))
		iv := lim.Interval()
		c := newClock(epoch)
		s := memStore(t, c, 0)
		req := Request{Key: "k", Throttle: lim}
		steps := 1 + rng.IntN(500)
		admitted := int64(0)
		for i := 0; i <= steps; i++ {
			for take(t, s, req).Allowed {
				admitted++
			}
			if i < steps {
				c.Advance(iv)
			}
		}
		if want := lim.Capacity() + int64(steps); admitted != want {
			t.Fatalf("%v over %d intervals: admitted %d, want %d", lim, steps, admitted, want)
		}
	}
}
