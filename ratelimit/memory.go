package ratelimit

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/bits"
	"time"
)

// DefaultMaxKeys is the number of keys a [MemoryStore] tracks when
// MemoryOptions.MaxKeys is 0.
const DefaultMaxKeys = 100_000

// DefaultUsageDays is the number of days of usage a [MemoryStore] keeps per
// key when MemoryOptions.UsageDays is 0.
const DefaultUsageDays = 90

// MemoryOptions configures a [MemoryStore].
type MemoryOptions struct {
	// MaxKeys is a hard bound on the number of keys tracked. When the store
	// is full, a new key replaces an idle one (a full bucket and nothing
	// counted: forgetting it changes no decision) or else one that has not
	// been used since the last sweep, so a flood of distinct keys cannot
	// exhaust memory nor push out the keys in steady use. If MaxKeys is 0,
	// the default is [DefaultMaxKeys].
	MaxKeys int
	// UsageDays is the number of days of usage kept per key for usage
	// reports. If UsageDays is 0, the default is [DefaultUsageDays].
	UsageDays int
	// Now returns the current time. If nil, the store reads the monotonic
	// clock, anchored to the wall clock when the store is created: it is
	// cheaper than time.Now, and steps of the system clock do not disturb
	// the buckets (quota windows then follow the anchored clock too).
	Now func() time.Time
}

// MemoryStore is a [Store] that keeps its state in the process. It is
// sharded by key, so decisions for different keys rarely contend, and it
// does not allocate when deciding for a key it already tracks. Its state is
// lost when the process exits and is not shared with other processes.
type MemoryStore struct {
	now      func() int64 // Unix nanoseconds
	seed     maphash.Seed
	shards   []shard
	mask     uint64
	keepDays int
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore(opts MemoryOptions) (*MemoryStore, error) {
	if opts.MaxKeys < 0 {
		return nil, fmt.Errorf("ratelimit: MaxKeys %d is negative", opts.MaxKeys)
	}
	if opts.UsageDays < 0 || opts.UsageDays > MaxUsageDays {
		return nil, fmt.Errorf("ratelimit: UsageDays %d is not within 0..%d", opts.UsageDays, MaxUsageDays)
	}
	if opts.MaxKeys == 0 {
		opts.MaxKeys = DefaultMaxKeys
	}
	if opts.UsageDays == 0 {
		opts.UsageDays = DefaultUsageDays
	}
	// A power of two no greater than MaxKeys, so that the shards' bounds
	// sum to at most MaxKeys.
	n := min(maxShards, 1<<(bits.Len(uint(opts.MaxKeys))-1))
	s := &MemoryStore{
		now:      unixNanos(opts.Now),
		seed:     maphash.MakeSeed(),
		shards:   make([]shard, n),
		mask:     uint64(n - 1),
		keepDays: opts.UsageDays,
	}
	for i := range s.shards {
		s.shards[i].max = opts.MaxKeys / n
	}
	return s, nil
}

// shard returns the shard of k and k's hash.
func (s *MemoryStore) shard(k *tableKey) (*shard, uint64) {
	h := maphash.String(s.seed, k.key) ^ maphash.String(s.seed, k.scope)*0x9e3779b97f4a7c15
	return &s.shards[h>>58&s.mask], h
}

// Take implements [Store].
func (s *MemoryStore) Take(_ context.Context, req Request) (Result, error) {
	now := s.now()
	k := tableKey{req.Scope, req.Key}
	sh, h := s.shard(&k)
	sh.mu.Lock()
	res := sh.get(&k, h, now, true).take(&req, now, s.keepDays)
	sh.mu.Unlock()
	return res, nil
}

// UpdateQuota implements [Store].
func (s *MemoryStore) UpdateQuota(_ context.Context, u QuotaUpdate) (QuotaStatus, error) {
	if u.Quota.IsZero() {
		return QuotaStatus{}, fmt.Errorf("ratelimit: update of scope %q: no quota", u.Scope)
	}
	now := s.now()
	k := tableKey{u.Scope, u.Key}
	sh, h := s.shard(&k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	st := sh.get(&k, h, now, u.Reset || u.Extend != 0)
	if st == nil {
		var fresh state
		return fresh.update(&u, now), nil
	}
	return st.update(&u, now), nil
}

// Usage implements [Store].
func (s *MemoryStore) Usage(_ context.Context, q UsageQuery) ([]DailyUsage, error) {
	first, last := q.Days()
	if last < first || last-first >= MaxUsageDays {
		return nil, fmt.Errorf("ratelimit: usage from %s to %s: not 1 to %d days", DayDate(first), DayDate(last), MaxUsageDays)
	}
	k := tableKey{q.Scope, q.Key}
	sh, h := s.shard(&k)
	out := make([]DailyUsage, 0, last-first+1)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	var log *usageLog
	if st := sh.get(&k, h, 0, false); st != nil {
		log = st.usage
	}
	for d := first; d <= last; d++ {
		out = append(out, DailyUsage{Date: DayDate(d), Requests: log.count(d)})
	}
	return out, nil
}

// Len returns the number of keys tracked.
func (s *MemoryStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.index)
		sh.mu.Unlock()
	}
	return n
}

// unixNanos returns a clock in Unix nanoseconds that reads now, or the
// anchored monotonic clock when now is nil.
func unixNanos(now func() time.Time) func() int64 {
	if now != nil {
		return func() int64 { return now().UnixNano() }
	}
	base := time.Now()
	wall := base.UnixNano()
	return func() int64 { return wall + int64(time.Since(base)) }
}
