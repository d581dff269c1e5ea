package proxy

import (
	"errors"
	"time"

	"github.com/gatewaykit/gateway/breaker"
)

// resilience holds the resilience options of an upstream.
type resilience struct {
	balancer Balancer
	weights  []int
	breaker  *breaker.Settings
	retry    *RetryPolicy
	timeout  time.Duration
	passive  *PassiveHealth
	health   *HealthCheck
	onHealth func(upstream, target string, healthy bool)
	clock    func() time.Time
}

// WithBalancer sets how requests are spread over the targets. If not set,
// [RoundRobin].
func WithBalancer(b Balancer) UpstreamOption {
	return func(c *upstreamConfig) { c.balancer = b }
}

// WithWeights gives the targets weights, in the order they were listed:
// round-robin then sends each target a share of the requests proportional
// to its weight. There must be one positive weight per target.
func WithWeights(w ...int) UpstreamOption {
	return func(c *upstreamConfig) { c.weights = append([]int(nil), w...) }
}

// WithBreaker puts a circuit breaker in front of the upstream: every attempt
// goes through it, and while it is open requests are answered 503 with
// Retry-After without calling the upstream. If s.Name is empty, the
// upstream's name is used. s.Now defaults to the upstream's clock. See
// package breaker for the settings.
func WithBreaker(s breaker.Settings) UpstreamOption {
	return func(c *upstreamConfig) { c.breaker = &s }
}

// WithRetry retries failed attempts according to p.
func WithRetry(p RetryPolicy) UpstreamOption {
	return func(c *upstreamConfig) { c.retry = &p }
}

// WithTimeout bounds each request to the upstream, retries and the reading
// of the response body included. A request that exceeds it is answered 504.
// A request asking to switch protocols (WebSocket) is bounded until the
// upstream agrees to switch; the switched connection is not. If 0, the
// request's own context is the only bound.
func WithTimeout(d time.Duration) UpstreamOption {
	return func(c *upstreamConfig) { c.timeout = d }
}

// WithPassiveHealth ejects targets that fail repeatedly; see
// [PassiveHealth].
func WithPassiveHealth(p PassiveHealth) UpstreamOption {
	return func(c *upstreamConfig) { c.passive = &p }
}

// WithHealthCheck checks the targets' health actively in the background;
// see [HealthCheck]. The upstream must then be closed with
// [Upstream.Close].
func WithHealthCheck(h HealthCheck) UpstreamOption {
	return func(c *upstreamConfig) { c.health = &h }
}

// OnHealthChange sets a function called when a target is ejected or taken
// out by its health checks (healthy false) and when it is back (true). It
// may be called from several goroutines at once and must not block.
func OnHealthChange(f func(upstream, target string, healthy bool)) UpstreamOption {
	return func(c *upstreamConfig) { c.onHealth = f }
}

// WithClock sets the clock of the upstream's breaker and passive health. If
// nil, time.Now.
func WithClock(now func() time.Time) UpstreamOption {
	return func(c *upstreamConfig) { c.clock = now }
}

// configure applies the resilience options.
func (u *Upstream) configure(c *resilience) error {
	var errs []error
	switch {
	case c.weights != nil:
		if c.balancer != RoundRobin {
			errs = append(errs, errors.New("weights need the round-robin balancer"))
		} else if len(c.weights) != len(u.members) {
			errs = append(errs, errors.New("one weight per target is needed"))
		} else if w, err := newWeighted(c.weights); err != nil {
			errs = append(errs, err)
		} else {
			u.bal = w
		}
	case c.balancer == LeastOutstanding:
		u.bal = leastOutstanding{}
	case c.balancer != RoundRobin:
		errs = append(errs, errors.New("unknown balancer"))
	}
	if c.breaker != nil {
		s := *c.breaker
		if s.Name == "" {
			s.Name = u.name
		}
		if s.Now == nil {
			s.Now = c.clock
		}
		b, err := breaker.New(s)
		if err != nil {
			errs = append(errs, err)
		}
		u.brk = b
	}
	if c.retry != nil {
		r, err := newRetrier(*c.retry)
		if err != nil {
			errs = append(errs, err)
		}
		u.retry = r
	}
	if c.timeout < 0 {
		errs = append(errs, errors.New("negative timeout"))
	}
	u.timeout = c.timeout
	if c.passive != nil {
		p, err := c.passive.normalize()
		if err != nil {
			errs = append(errs, err)
		}
		u.passive = &p
	}
	if c.health != nil {
		h, err := c.health.normalize()
		if err != nil {
			errs = append(errs, err)
		}
		*c.health = h
	}
	u.onHealth = c.onHealth
	u.checked = u.passive != nil || c.health != nil
	_, lo := u.bal.(leastOutstanding)
	u.plain = u.brk == nil && u.retry == nil && u.timeout == 0 && !u.checked && !lo
	return errors.Join(errs...)
}

// Breaker returns the upstream's circuit breaker, or nil when it has none.
// Its State method reads the breaker's state.
func (u *Upstream) Breaker() *breaker.Breaker { return u.brk }

// TargetHealth is the state of one target.
type TargetHealth struct {
	// Target is the target URL as configured.
	Target string
	// Healthy reports whether the target may receive requests: it is not
	// ejected and passes its health checks.
	Healthy bool
	// Outstanding is the number of requests awaiting its response headers.
	Outstanding int64
}

// Health returns the state of each target, in the order they were listed.
func (u *Upstream) Health() []TargetHealth {
	now := u.now().UnixNano()
	hs := make([]TargetHealth, len(u.members))
	for i, m := range u.members {
		hs[i] = TargetHealth{Target: m.t.raw, Healthy: m.usable(now), Outstanding: m.inflight.Load()}
	}
	return hs
}
