package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/cache"
)

// Defaults of [CacheConfig].
const (
	// DefaultCachePrefix starts the Redis key of every cached response.
	DefaultCachePrefix = "gatewaykit:cache:"
	// DefaultCacheTimeout bounds each lookup and write of a [CacheStore].
	DefaultCacheTimeout = 100 * time.Millisecond
	// DefaultPurgeTimeout bounds each flush of a [CacheStore], and each
	// purge that scans the keyspace.
	DefaultPurgeTimeout = 10 * time.Second
)

// CacheConfig configures a [CacheStore].
type CacheConfig struct {
	// Prefix starts every key the store writes, so that several caches
	// (or other data) can share one Redis database. Flush removes only the
	// keys under Prefix. If Prefix is empty, it is [DefaultCachePrefix].
	// It must not hold an empty hash tag ("{}"), which would scatter the
	// keys of one resource over Redis Cluster slots.
	Prefix string
	// Timeout bounds each Get, Set and Delete. A lookup that takes longer
	// is a cache miss. If Timeout is 0, it is [DefaultCacheTimeout]. The
	// client must be created with ContextTimeoutEnabled (or with read and
	// write timeouts as short) for a hung server to be given up on in time.
	Timeout time.Duration
	// PurgeTimeout bounds each Flush and each DeletePrefix of a prefix
	// that is not a whole resource, which scan the keys under Prefix (on
	// every master of a cluster, every shard of a ring). If PurgeTimeout
	// is 0, it is [DefaultPurgeTimeout].
	PurgeTimeout time.Duration
	// OnError, if not nil, is called with every error of Redis and the
	// operation that failed ("get", "set", "delete", "purge", "flush"), and
	// with "decode" and [cache.ErrCorruptEntry] for a stored value that is
	// not an entry.
	OnError func(op string, err error)
}

// CacheStore is a [cache.Store] in Redis, shared by every gateway instance
// that uses the same Redis and Prefix. Each entry is one Redis string in
// the binary encoding of [cache.Entry], written with its time to live, so
// Redis removes it when it expires.
//
// Every entry is also listed, in the same script that writes it, in an
// index of its resource (the method and path its key starts with), which
// expires with the longest-lived entry it lists. Invalidating a resource,
// as the cache does after every successful write to it, removes the
// entries listed there: its cost grows with the entries of that resource,
// not with the size of the keyspace. Only purges of a wider prefix
// ([cache.Cache.PurgePrefix]) and Flush scan the keyspace; they are
// operator actions, bounded by PurgeTimeout. They remove each index they
// meet together with the entries it lists, so an entry written while they
// run, or left when they stop early, is still listed in its index.
//
// The total size is bounded by Redis itself: set maxmemory with the
// volatile-ttl policy, which evicts the keys nearest their expiry first,
// and so entries rather than the index that lists them, as an index never
// expires sooner than its entries. An evicted index (likelier under an LRU
// or LFU policy) leaves its entries in place, and writes then no longer
// invalidate them: they are served until they expire.
//
// Errors are returned to the cache, which turns them into misses; the
// client never sees them.
type CacheStore struct {
	client redis.UniversalClient
	cfg    CacheConfig
}

var _ cache.Store = (*CacheStore)(nil)

// NewCacheStore returns a CacheStore on client, which the caller owns and
// closes. The client must be created with ContextTimeoutEnabled (a
// *redis.Client, *redis.ClusterClient or *redis.Ring), so that a hung
// server costs a call its timeout and no more; other clients are refused.
func NewCacheStore(client redis.UniversalClient, cfg CacheConfig) (*CacheStore, error) {
	if err := checkDeadlines(client); err != nil {
		return nil, fmt.Errorf("redisstore: NewCacheStore: %w", err)
	}
	if cfg.Timeout < 0 || cfg.PurgeTimeout < 0 {
		return nil, errors.New("redisstore: NewCacheStore: negative timeout")
	}
	if emptyHashTag(cfg.Prefix) {
		return nil, fmt.Errorf("redisstore: NewCacheStore: Prefix %q holds an empty hash tag", cfg.Prefix)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultCachePrefix
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultCacheTimeout
	}
	if cfg.PurgeTimeout == 0 {
		cfg.PurgeTimeout = DefaultPurgeTimeout
	}
	return &CacheStore{client: client, cfg: cfg}, nil
}

// Get returns the entry under key, or nil when there is none or the stored
// value is not an entry.
func (s *CacheStore) Get(ctx context.Context, key string) (*cache.Entry, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	b, err := s.client.Get(ctx, s.entryKey(key)).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, nil
	case err != nil:
		return nil, s.fail("get", err)
	}
	e := new(cache.Entry)
	if err := e.UnmarshalBinary(b); err != nil {
		s.fail("decode", err)
		return nil, nil
	}
	return e, nil
}

// Set stores e under key for ttl and lists it in the index of its
// resource, in one round trip.
func (s *CacheStore) Set(ctx context.Context, key string, e *cache.Entry, ttl time.Duration) error {
	if ttl <= 0 {
		return nil
	}
	b, err := e.MarshalBinary()
	if err != nil {
		return s.fail("set", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	resource, _, indexed := strings.Cut(key, "\x00")
	if !indexed { // not a key of the cache's layout: no purge can find it by resource
		return s.fail("set", s.client.Set(ctx, s.entryKey(key), b, ttl).Err())
	}
	ms := max(ttl.Milliseconds(), 1)
	keys := []string{s.entryKey(key), s.indexKey(resource)}
	return s.fail("set", cacheSetScript.Run(ctx, s.client, keys, b, ms).Err())
}

// Delete removes the entry under key.
func (s *CacheStore) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	resource, _, indexed := strings.Cut(key, "\x00")
	if !indexed {
		return s.fail("delete", s.client.Unlink(ctx, s.entryKey(key)).Err())
	}
	keys := []string{s.entryKey(key), s.indexKey(resource)}
	return s.fail("delete", cacheDeleteScript.Run(ctx, s.client, keys).Err())
}

// DeletePrefix removes every entry whose key starts with prefix. When
// prefix holds a NUL, as the prefix of a path ([cache.Cache.PurgePath] and
// the invalidation after a write) or a whole key ([cache.Cache.Purge])
// does, every such entry belongs to one resource: they are found in its
// index and removed in one script, bounded by Timeout, at a cost that grows
// with the entries of that resource only. Any other prefix may span
// resources: the keys under the store's Prefix are scanned (on every master
// of a cluster), bounded by PurgeTimeout, at a cost that grows with the
// number of keys in Redis.
func (s *CacheStore) DeletePrefix(ctx context.Context, prefix string) error {
	resource, rest, ok := strings.Cut(prefix, "\x00")
	if !ok {
		return s.fail("purge", s.deleteMatching(ctx, "{p"+prefix))
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	member := s.cfg.Prefix + "{p" + resource + "}\x00" + rest
	err := cacheInvalidateScript.Run(ctx, s.client, []string{s.indexKey(resource)}, member).Err()
	return s.fail("purge", err)
}

// Flush removes every entry under the store's Prefix, and nothing else.
func (s *CacheStore) Flush(ctx context.Context) error {
	return s.fail("flush", s.deleteMatching(ctx, ""))
}

// deleteMatching scans for the keys that start with the store's Prefix
// and then prefix, and removes them.
func (s *CacheStore) deleteMatching(ctx context.Context, prefix string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.PurgeTimeout)
	defer cancel()
	pattern := globQuote(s.cfg.Prefix+prefix) + "*"
	each := func(ctx context.Context, node *redis.Client) error { return s.scanDelete(ctx, node, pattern) }
	switch c := s.client.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, each)
	case *redis.Ring:
		return c.ForEachShard(ctx, each)
	}
	return s.scanDelete(ctx, s.client, pattern)
}

// scanDelete unlinks the keys matching pattern, a batch per SCAN step. An
// index is removed together with every entry it lists, in one script, so
// that no entry outlives the index that lists it: neither one written
// while the scan runs, after the scan has passed its key, nor one the scan
// has not reached when it stops early.
func (s *CacheStore) scanDelete(ctx context.Context, c redis.Cmdable, pattern string) error {
	var cursor uint64
	for {
		keys, next, err := c.Scan(ctx, cursor, pattern, 1000).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			pipe := c.Pipeline()
			entries := keys[:0]
			for _, k := range keys {
				if s.isIndexKey(k) {
					cacheDropIndexScript.Eval(ctx, pipe, []string{k})
				} else {
					entries = append(entries, k)
				}
			}
			if len(entries) > 0 {
				pipe.Unlink(ctx, entries...)
			}
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// globQuote escapes the characters that are special in a Redis glob
// pattern, so that s matches only itself.
func globQuote(s string) string {
	if !strings.ContainsAny(s, `*?[]\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fail reports a non-nil err to OnError and returns it.
func (s *CacheStore) fail(op string, err error) error {
	if err != nil && s.cfg.OnError != nil {
		s.cfg.OnError(op, err)
	}
	return err
}
