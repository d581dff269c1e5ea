package ratelimit

import (
	"context"
	"time"
)

// Store keeps the state of throttles and quotas. [MemoryStore] keeps it in
// the process; redisstore.RateLimitStore shares it between gateway
// instances through Redis. Implementations must be safe for concurrent use
// and must make each decision atomically, so that concurrent requests never
// admit more than the limits allow.
//
// A Store reads its own clock: a shared store uses one clock for every
// gateway instance, so that their clocks' skew does not matter.
type Store interface {
	// Take decides whether the request described by req is admitted. When
	// req has a throttle, it takes req.N tokens from the key's bucket; when
	// it has a quota, it adds req.N to the count of the current window. The
	// request is admitted only if both allow it, and then both change;
	// otherwise neither does. Admitted requests are added to the key's
	// daily usage when req.RecordUsage is set.
	Take(ctx context.Context, req Request) (Result, error)

	// UpdateQuota changes the quota counter of a key in the current window
	// and returns its state: Reset sets the count to zero, then Extend
	// requests are added to what remains. An update with neither only reads.
	UpdateQuota(ctx context.Context, u QuotaUpdate) (QuotaStatus, error)

	// Usage returns the number of requests admitted for a key on each day
	// from q.From to q.To inclusive, in the time zone q.Offset east of UTC,
	// oldest first, with a zero for days without requests or whose record
	// has expired.
	Usage(ctx context.Context, q UsageQuery) ([]DailyUsage, error)
}

// Request asks a [Store] for one decision.
type Request struct {
	// Scope separates the state of different limiters and plans that share
	// a store. Limiters that enforce one limit together share a scope.
	Scope string
	// Key identifies the client within the scope.
	Key string
	// N is the number of tokens the request costs. If N is 0, it costs 1.
	// A request costing more than the bucket holds or the quota allows is
	// never admitted.
	N int64
	// Throttle is the token bucket to take from; zero means none.
	Throttle Limit
	// Quota is the calendar quota to count against; zero means none.
	Quota Quota
	// RecordUsage counts admitted requests per calendar day, in the zone
	// of Quota (UTC when there is no quota), for usage reports.
	RecordUsage bool
}

// cost returns the number of tokens r costs.
func (r *Request) cost() int64 {
	if r.N <= 0 {
		return 1
	}
	return r.N
}

// Reason says why a request was refused.
type Reason int8

// The reasons for a decision.
const (
	// Admitted means the request was not refused.
	Admitted Reason = iota
	// Throttled means the token bucket was empty.
	Throttled
	// QuotaExhausted means the quota of the current window was used up.
	QuotaExhausted
)

// String returns "admitted", "throttled" or "quota exhausted".
func (r Reason) String() string {
	switch r {
	case Throttled:
		return "throttled"
	case QuotaExhausted:
		return "quota exhausted"
	}
	return "admitted"
}

// Result is a [Store]'s decision and the state it left behind.
type Result struct {
	// Allowed reports whether the request is admitted.
	Allowed bool
	// Reason says why it was refused.
	Reason Reason
	// Remaining is the number of tokens left in the bucket.
	Remaining int64
	// RetryAfter is how long the client should wait before the request
	// would be admitted, when it is refused.
	RetryAfter time.Duration
	// Reset is how long until the bucket is full again.
	Reset time.Duration
	// QuotaRemaining is the number of requests left in the quota window.
	QuotaRemaining int64
	// QuotaReset is how long until the quota window ends.
	QuotaReset time.Duration
}

// QuotaUpdate changes a key's quota counter; see [Store.UpdateQuota].
type QuotaUpdate struct {
	// Scope and Key identify the counter, as in [Request].
	Scope, Key string
	// Quota is the quota the counter belongs to.
	Quota Quota
	// Reset sets the count of the current window to zero first.
	Reset bool
	// Extend adds requests to what remains in the current window; a
	// negative value takes them away. The count saturates at ±MaxQuota.
	Extend int64
}

// QuotaStatus is the state of a key's quota in its current window.
type QuotaStatus struct {
	// Used is the number of requests counted in the window, less any
	// extension.
	Used int64
	// Remaining is the number of requests the key may still make.
	Remaining int64
	// Start and End bound the window.
	Start, End time.Time
}

// UsageQuery asks for a key's daily usage; see [Store.Usage].
type UsageQuery struct {
	// Scope and Key identify the counter, as in [Request].
	Scope, Key string
	// Offset is the time zone of the days, east of UTC.
	Offset time.Duration
	// From and To are instants on the first and last day of the report.
	From, To time.Time
}

// MaxUsageDays is the longest usage report, in days, a [Store] must serve.
const MaxUsageDays = 366

// Days returns the calendar days of q as day numbers (days since
// 1970-01-01 in q's zone), first and last inclusive.
func (q UsageQuery) Days() (first, last int64) {
	off := int64(q.Offset / time.Second)
	return dayOf(off, q.From.Unix()), dayOf(off, q.To.Unix())
}

// DailyUsage is the number of requests admitted for a key on one day.
type DailyUsage struct {
	// Date is the calendar day, formatted as 2006-01-02.
	Date string
	// Requests is the number of requests admitted that day.
	Requests int64
}

// DayDate formats a day number (days since 1970-01-01) as 2006-01-02.
func DayDate(day int64) string {
	return time.Unix(day*secondsPerDay, 0).UTC().Format(time.DateOnly)
}

// windowStatus builds the status of a window from its count.
func windowStatus(q Quota, used, start, end int64) QuotaStatus {
	return QuotaStatus{
		Used:      used,
		Remaining: quotaLeft(q.max, used),
		Start:     time.Unix(start, 0).UTC(),
		End:       time.Unix(end, 0).UTC(),
	}
}
