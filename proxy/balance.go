package proxy

import (
	"net/http"
	"sync/atomic"
)

// balancer chooses which of an upstream's n targets serves a request. It is
// the seam where other strategies (weights, least outstanding requests,
// health-aware choices) plug in; implementations are safe for concurrent use.
type balancer interface {
	pick(r *http.Request, n int) int
}

// roundRobin spreads requests over the targets in turn.
type roundRobin struct {
	next atomic.Uint64
}

func (rr *roundRobin) pick(_ *http.Request, n int) int {
	if n <= 1 {
		return 0
	}
	return int((rr.next.Add(1) - 1) % uint64(n))
}
