package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Limiter throttles requests, and counts them against a quota when one is
// set, per key. It is a stateful block: [Limiter.Handler] wraps a handler,
// and limits at gateway, group, route and key level compose by stacking
// limiters, each enforcing its own limit.
type Limiter struct {
	e     *engine
	key   keyFunc
	req   Request
	pol   *policy
	store Store
}

// New returns a Limiter that enforces limit. Options choose the key
// requests are counted per (by default one key for all: a limit for
// everything behind the limiter), add a quota, and set the store and its
// failure policy. A zero limit is allowed only with a quota.
func New(limit Limit, opts ...Option) (*Limiter, error) {
	c := newConfig(opts)
	if err := limit.Validate(); err != nil {
		c.errs = append(c.errs, err)
	}
	if err := c.quota.Validate(); err != nil {
		c.errs = append(c.errs, err)
	}
	if limit.IsZero() && c.quota.IsZero() {
		c.errs = append(c.errs, errors.New("ratelimit: New needs a limit or a quota"))
	}
	if c.defaultPlan != "" {
		c.errs = append(c.errs, errors.New("ratelimit: DefaultPlan applies to Plans only"))
	}
	c.settleName("default", "limits")
	if err := c.finish(); err != nil {
		return nil, err
	}
	return &Limiter{
		e:     newEngine(c),
		key:   c.key,
		req:   Request{Scope: "limit:" + c.name, Throttle: limit, Quota: c.quota, RecordUsage: !c.quota.IsZero()},
		pol:   newPolicy(c.name, limit, c.quota),
		store: c.store,
	}, nil
}

// Handler returns a handler that admits requests to next or refuses them
// with 429 Too Many Requests (problem+json, Retry-After, RateLimit and
// RateLimit-Policy). Admitted responses carry the RateLimit headers too,
// unless turned off with [Headers]. A request the key option does not
// identify passes untouched and creates no state. When the store fails,
// the failure policy applies ([FailOpen], [FailClosed]).
func (l *Limiter) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := l.key.fn(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		req := l.req
		req.Key = key
		if l.e.serve(w, r, l.pol, req) {
			next.ServeHTTP(w, r)
		}
	})
}

// Allow decides one request for key, as the handler does, and returns the
// decision. When the store fails, the error wraps [ErrUnavailable] and the
// result is the failure policy's decision.
func (l *Limiter) Allow(ctx context.Context, key string) (Result, error) {
	req := l.req
	req.Key = key
	return l.e.take(ctx, req)
}

// Quota returns the state of key's quota. It fails when the limiter has no
// quota.
func (l *Limiter) Quota(ctx context.Context, key string) (QuotaStatus, error) {
	return l.UpdateQuota(ctx, key, false, 0)
}

// UpdateQuota changes key's quota in the current window: reset sets the
// count to zero, then extend requests are added to what remains (a
// negative extend takes them away). It returns the new state.
func (l *Limiter) UpdateQuota(ctx context.Context, key string, reset bool, extend int64) (QuotaStatus, error) {
	if l.req.Quota.IsZero() {
		return QuotaStatus{}, errors.New("ratelimit: the limiter has no quota")
	}
	return l.store.UpdateQuota(ctx, QuotaUpdate{Scope: l.req.Scope, Key: shortKey(key), Quota: l.req.Quota, Reset: reset, Extend: extend})
}

// Usage returns the requests admitted for key on each day from the day of
// from to the day of to, in the time zone of the limiter's quota. Only a
// limiter with a quota records usage.
func (l *Limiter) Usage(ctx context.Context, key string, from, to time.Time) ([]DailyUsage, error) {
	if l.req.Quota.IsZero() {
		return nil, errors.New("ratelimit: the limiter has no quota")
	}
	return l.store.Usage(ctx, UsageQuery{Scope: l.req.Scope, Key: shortKey(key), Offset: l.req.Quota.offset, From: from, To: to})
}

// Stats returns the limiter's counters.
func (l *Limiter) Stats() Stats { return l.e.stats() }
