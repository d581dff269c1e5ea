package proxy

import (
	"errors"
	"math/rand/v2"
	"sync/atomic"
)

// Balancer names a strategy for spreading an upstream's requests over its
// targets; pass it to [WithBalancer].
type Balancer int

// The balancing strategies.
const (
	// RoundRobin sends requests to the targets in turn, the default. With
	// [WithWeights] it is weighted round-robin.
	RoundRobin Balancer = iota
	// LeastOutstanding picks two healthy targets at random and sends the
	// request to the one with fewer requests awaiting an answer (the "power
	// of two choices"), which steers traffic away from slow targets.
	LeastOutstanding
)

// balancer chooses which of an upstream's members serves a request;
// implementations are safe for concurrent use and do not allocate.
type balancer interface {
	pick(ms []*member) int
}

// roundRobin spreads requests over the targets in turn.
type roundRobin struct {
	next atomic.Uint64
}

func (rr *roundRobin) pick(ms []*member) int {
	n := len(ms)
	if n <= 1 {
		return 0
	}
	return int((rr.next.Add(1) - 1) % uint64(n))
}

// weighted is smooth weighted round-robin over a precomputed cycle: each
// target appears as often as its weight, interleaved rather than in runs.
type weighted struct {
	cycle []uint16
	next  atomic.Uint64
}

// maxCycle bounds the sum of the weights.
const maxCycle = 1 << 16

func newWeighted(weights []int) (*weighted, error) {
	total := 0
	for _, w := range weights {
		if w <= 0 {
			return nil, errors.New("weights must be positive")
		}
		total += w
		if total > maxCycle {
			return nil, errors.New("weights add up to more than 65536")
		}
	}
	cur := make([]int, len(weights))
	cycle := make([]uint16, 0, total)
	for range total {
		best := 0
		for i, w := range weights {
			cur[i] += w
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		cycle = append(cycle, uint16(best))
	}
	return &weighted{cycle: cycle}, nil
}

func (w *weighted) pick([]*member) int {
	return int(w.cycle[(w.next.Add(1)-1)%uint64(len(w.cycle))])
}

// leastOutstanding is power-of-two-choices on in-flight requests.
type leastOutstanding struct{}

func (leastOutstanding) pick(ms []*member) int {
	n := len(ms)
	if n <= 1 {
		return 0
	}
	a := rand.IntN(n)
	b := rand.IntN(n - 1)
	if b >= a {
		b++
	}
	if ms[b].inflight.Load() < ms[a].inflight.Load() {
		return b
	}
	return a
}
