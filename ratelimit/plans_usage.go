package ratelimit

import (
	"context"
	"fmt"
	"time"
)

// Quota returns the state of key's quota in its plan.
func (p *Plans) Quota(ctx context.Context, key string) (QuotaStatus, error) {
	return p.UpdateQuota(ctx, key, false, 0)
}

// UpdateQuota changes key's quota in the current window of its plan:
// reset sets the count to zero, then extend requests are added to what
// remains (a negative extend takes them away). It returns the new state.
func (p *Plans) UpdateQuota(ctx context.Context, key string, reset bool, extend int64) (QuotaStatus, error) {
	cp := p.planOf(key)
	if cp == nil {
		return QuotaStatus{}, fmt.Errorf("ratelimit: key %q: %w", key, ErrNoPlan)
	}
	if cp.req.Quota.IsZero() {
		return QuotaStatus{}, fmt.Errorf("ratelimit: plan %q has no quota", cp.name)
	}
	return p.store.UpdateQuota(ctx, QuotaUpdate{Scope: cp.req.Scope, Key: shortKey(key), Quota: cp.req.Quota, Reset: reset, Extend: extend})
}

// Usage returns the requests admitted for key under its plan on each day
// from the day of from to the day of to, in the time zone of the plan's
// quota (UTC without one).
func (p *Plans) Usage(ctx context.Context, key string, from, to time.Time) ([]DailyUsage, error) {
	cp := p.planOf(key)
	if cp == nil {
		return nil, fmt.Errorf("ratelimit: key %q: %w", key, ErrNoPlan)
	}
	return p.store.Usage(ctx, UsageQuery{Scope: cp.req.Scope, Key: shortKey(key), Offset: cp.req.Quota.offset, From: from, To: to})
}

// Report returns the daily usage of every key assigned to the named plan,
// as [Plans.Usage] does for one key.
func (p *Plans) Report(ctx context.Context, plan string, from, to time.Time) (map[string][]DailyUsage, error) {
	if p.plans[plan] == nil {
		return nil, fmt.Errorf("ratelimit: report of %q: %w", plan, ErrUnknownPlan)
	}
	out := map[string][]DailyUsage{}
	for _, k := range p.Keys(plan) {
		u, err := p.Usage(ctx, k, from, to)
		if err != nil {
			return nil, err
		}
		out[k] = u
	}
	return out, nil
}

// Stats returns the counters of all plans together.
func (p *Plans) Stats() Stats { return p.e.stats() }
