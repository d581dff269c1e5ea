package cache

import (
	"context"
	"time"
)

// Store keeps entries by key. [MemoryStore] keeps them in the process;
// redisstore.CacheStore shares them between gateway instances through
// Redis. Implementations must be safe for concurrent use, must not modify
// an entry they are given or return, and should bound the time each call
// may take: the cache calls Get on the request path.
//
// Keys are binary strings that start with the request method, a space and
// the escaped request path, then a NUL byte; DeletePrefix relies on that
// layout to purge a path or a subtree. The cache's own purges of one path
// or one key (after every successful write, [Cache.PurgePath] and
// [Cache.Purge]) pass a prefix that holds that NUL, so a store may index
// its entries by the part of their key before the first NUL and serve
// those purges without scanning the others; only [Cache.PurgePrefix] may
// pass a prefix without one.
type Store interface {
	// Get returns the entry stored under key, or nil and no error when
	// there is none or it has expired. Get must not keep key after it
	// returns: its bytes are reused for the next request.
	Get(ctx context.Context, key string) (*Entry, error)
	// Set stores e under key for ttl, replacing any entry there.
	Set(ctx context.Context, key string, e *Entry, ttl time.Duration) error
	// Delete removes the entry under key, if any.
	Delete(ctx context.Context, key string) error
	// DeletePrefix removes every entry whose key starts with prefix.
	DeletePrefix(ctx context.Context, prefix string) error
	// Flush removes every entry.
	Flush(ctx context.Context) error
}
