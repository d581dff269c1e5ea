package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/ratelimit"
)

// Defaults of [RateLimitConfig].
const (
	// DefaultRateLimitPrefix starts the Redis key of every rate limit.
	DefaultRateLimitPrefix = "gatewaykit:rl:"
)

// RateLimitConfig configures a [RateLimitStore].
type RateLimitConfig struct {
	// Prefix starts every key the store writes, so that several sets of
	// limits (or other data) can share one Redis database. If Prefix is
	// empty, it is [DefaultRateLimitPrefix]. A prefix may hold a Redis
	// Cluster hash tag ("{limits}:") to put every key in one slot, but not
	// an empty one ("{}").
	Prefix string
	// UsageDays is the number of days of usage kept per key for usage
	// reports. If UsageDays is 0, it is ratelimit.DefaultUsageDays.
	UsageDays int
	// OnError, if not nil, is called with every error of Redis and the
	// operation that failed ("take", "quota", "usage").
	OnError func(op string, err error)
}

// RateLimitStore is a [ratelimit.Store] in Redis, shared by every gateway
// instance that uses the same Redis and Prefix, so that limits and quotas
// hold across all of them exactly.
//
// Each decision is one atomic Lua script (one round trip, EVALSHA) that
// reads the clock of Redis itself, so the gateways' clock skew does not
// matter. A key's throttle is a GCRA theoretical arrival time in
// microseconds; its quota is a hash holding the current window and its
// count; its usage is a hash of daily counts. All of a key's state shares
// one hash tag, so the store works on Redis Cluster. Every Redis key
// expires when it no longer matters, so idle clients cost nothing.
//
// The limiter bounds each call with its Timeout, which go-redis honours only
// when the client is created with ContextTimeoutEnabled: [NewRateLimitStore]
// refuses any other client, so that a hung server is given up on in time.
type RateLimitStore struct {
	client redis.UniversalClient
	cfg    RateLimitConfig
	// now, when set, replaces the Redis clock; for tests.
	now func() time.Time
}

var _ ratelimit.Store = (*RateLimitStore)(nil)

// NewRateLimitStore returns a RateLimitStore on client, which the caller
// owns and closes. The client must be a *redis.Client, *redis.ClusterClient
// or *redis.Ring created with ContextTimeoutEnabled and without read or
// write timeouts of -2, so that each call ends at its deadline; otherwise
// NewRateLimitStore returns an error.
func NewRateLimitStore(client redis.UniversalClient, cfg RateLimitConfig) (*RateLimitStore, error) {
	if err := checkDeadlines(client); err != nil {
		return nil, fmt.Errorf("redisstore: NewRateLimitStore: %w", err)
	}
	if cfg.UsageDays < 0 || cfg.UsageDays > ratelimit.MaxUsageDays {
		return nil, fmt.Errorf("redisstore: NewRateLimitStore: UsageDays %d is not within 0..%d", cfg.UsageDays, ratelimit.MaxUsageDays)
	}
	if emptyHashTag(cfg.Prefix) {
		return nil, fmt.Errorf("redisstore: NewRateLimitStore: Prefix %q holds an empty hash tag", cfg.Prefix)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultRateLimitPrefix
	}
	if cfg.UsageDays == 0 {
		cfg.UsageDays = ratelimit.DefaultUsageDays
	}
	return &RateLimitStore{client: client, cfg: cfg}, nil
}

// base returns the common start of the keys of scope and key; the hash tag
// puts them in one cluster slot. The tag starts with a letter so that it
// is never empty, whatever the key: Redis Cluster hashes each whole key
// when the tag is empty ("{}" for the empty key of a limit for everyone,
// or for a key starting with '}'), which would scatter a decision's keys
// over slots and make the cluster refuse it.
func (s *RateLimitStore) base(scope, key string) string {
	return s.cfg.Prefix + scope + ":{k" + key + "}"
}

func (s *RateLimitStore) clock() int64 {
	if s.now == nil {
		return 0
	}
	return s.now().UnixMicro()
}

func (s *RateLimitStore) fail(op string, err error) error {
	if s.cfg.OnError != nil {
		s.cfg.OnError(op, err)
	}
	return fmt.Errorf("redisstore: rate limit %s: %w", op, err)
}

// errTooFast reports a throttle finer than the store's microseconds.
var errTooFast = errors.New("redisstore: a throttle refills faster than one token per microsecond")

// Take implements [ratelimit.Store].
func (s *RateLimitStore) Take(ctx context.Context, req ratelimit.Request) (ratelimit.Result, error) {
	var iv int64
	if !req.Throttle.IsZero() {
		if req.Throttle.Interval() < time.Microsecond {
			return ratelimit.Result{}, errTooFast
		}
		// Rounded up, so the store never admits more than the limit.
		iv = int64((req.Throttle.Interval() + time.Microsecond - 1) / time.Microsecond)
	}
	n := req.N
	if n <= 0 {
		n = 1
	}
	q := req.Quota
	if q.Max() > ratelimit.MaxQuota {
		// The script counts in floating point, exact up to MaxQuota.
		return ratelimit.Result{}, fmt.Errorf("redisstore: quota %s exceeds ratelimit.MaxQuota", q)
	}
	record := 0
	if req.RecordUsage {
		record = 1
	}
	b := s.base(req.Scope, req.Key)
	v, err := takeScript.Run(ctx, s.client, []string{b + ":t", b + ":q", b + ":u"},
		iv, req.Throttle.Capacity(), n, q.Max(), int(q.Period()), int64(q.UTCOffset()/time.Second),
		record, s.cfg.UsageDays, s.clock()).Int64Slice()
	if err != nil {
		return ratelimit.Result{}, s.fail("take", err)
	}
	if len(v) != 7 {
		return ratelimit.Result{}, s.fail("take", fmt.Errorf("unexpected reply of %d values", len(v)))
	}
	return ratelimit.Result{
		Allowed:        v[0] == 1,
		Reason:         ratelimit.Reason(v[1]),
		Remaining:      v[2],
		RetryAfter:     time.Duration(v[3]) * time.Microsecond,
		Reset:          time.Duration(v[4]) * time.Microsecond,
		QuotaRemaining: v[5],
		QuotaReset:     time.Duration(v[6]) * time.Microsecond,
	}, nil
}

// UpdateQuota implements [ratelimit.Store].
func (s *RateLimitStore) UpdateQuota(ctx context.Context, u ratelimit.QuotaUpdate) (ratelimit.QuotaStatus, error) {
	if u.Quota.IsZero() {
		return ratelimit.QuotaStatus{}, fmt.Errorf("redisstore: update of scope %q: no quota", u.Scope)
	}
	if u.Quota.Max() > ratelimit.MaxQuota {
		return ratelimit.QuotaStatus{}, fmt.Errorf("redisstore: quota %s exceeds ratelimit.MaxQuota", u.Quota)
	}
	reset := 0
	if u.Reset {
		reset = 1
	}
	// Saturated here so that the script's floating point stays exact.
	extend := min(max(u.Extend, -ratelimit.MaxQuota), ratelimit.MaxQuota)
	b := s.base(u.Scope, u.Key)
	v, err := quotaScript.Run(ctx, s.client, []string{b + ":q"},
		int(u.Quota.Period()), int64(u.Quota.UTCOffset()/time.Second), reset, extend, s.clock()).Int64Slice()
	if err != nil {
		return ratelimit.QuotaStatus{}, s.fail("quota", err)
	}
	if len(v) != 3 {
		return ratelimit.QuotaStatus{}, s.fail("quota", fmt.Errorf("unexpected reply of %d values", len(v)))
	}
	return ratelimit.QuotaStatus{
		Used:      v[0],
		Remaining: max(u.Quota.Max()-v[0], 0),
		Start:     time.Unix(v[1], 0).UTC(),
		End:       time.Unix(v[2], 0).UTC(),
	}, nil
}

// Usage implements [ratelimit.Store].
func (s *RateLimitStore) Usage(ctx context.Context, q ratelimit.UsageQuery) ([]ratelimit.DailyUsage, error) {
	first, last := q.Days()
	if last < first || last-first >= ratelimit.MaxUsageDays {
		return nil, fmt.Errorf("redisstore: usage from %s to %s: not 1 to %d days",
			ratelimit.DayDate(first), ratelimit.DayDate(last), ratelimit.MaxUsageDays)
	}
	fields := make([]string, 0, last-first+1)
	for d := first; d <= last; d++ {
		fields = append(fields, strconv.FormatInt(d, 10))
	}
	vals, err := s.client.HMGet(ctx, s.base(q.Scope, q.Key)+":u", fields...).Result()
	if err != nil {
		return nil, s.fail("usage", err)
	}
	out := make([]ratelimit.DailyUsage, len(fields))
	for i := range fields {
		out[i].Date = ratelimit.DayDate(first + int64(i))
		if str, ok := vals[i].(string); ok {
			out[i].Requests, _ = strconv.ParseInt(str, 10, 64)
		}
	}
	return out, nil
}
