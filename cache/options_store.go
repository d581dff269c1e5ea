package cache

import (
	"net/http"
	"time"
)

// WithStore sets where entries are kept, for example a Redis store shared by
// many gateway instances. The caller owns s: [Cache.Close] does not close
// it. If WithStore is not given, the cache creates a [MemoryStore] bounded
// by [MemoryBytes] and closes it on Close.
func WithStore(s Store) Option {
	return func(c *config) {
		if c.cacheWide("WithStore") {
			return
		}
		if s == nil {
			c.fail("WithStore: nil store")
			return
		}
		c.store = s
	}
}

// MemoryBytes bounds the total size of the memory store the cache creates
// when no [WithStore] is given. If MemoryBytes is not given, it is
// [DefaultMemoryBytes].
func MemoryBytes(n int64) Option {
	return func(c *config) {
		if c.cacheWide("MemoryBytes") {
			return
		}
		if n <= 0 {
			c.fail("MemoryBytes: %d is not positive", n)
			return
		}
		c.memoryBytes = n
	}
}

// Now sets the clock of the whole cache. If Now is not given or nil,
// time.Now is used.
func Now(now func() time.Time) Option {
	return func(c *config) {
		if !c.cacheWide("Now") {
			c.now = now
		}
	}
}

// ErrorHandler sets how errors are rendered to the client. If ErrorHandler
// is not given or nil, problem.Error renders them as problem+json.
func ErrorHandler(h func(http.ResponseWriter, *http.Request, error)) Option {
	return func(c *config) { c.errorHandler = h }
}

// OnError sets a function called with every error of the store and the
// operation that failed ("get", "set", "delete", "purge" or "flush"), for
// logs and metrics. Store errors never reach the client: a failed lookup is
// a miss and a failed write leaves the response unstored.
func OnError(f func(op string, err error)) Option {
	return func(c *config) {
		if !c.cacheWide("OnError") {
			c.onError = f
		}
	}
}

// StoreBackoff sets how long the cache skips its store after a store error,
// serving every request from upstream meanwhile and storing nothing. The
// invalidations that follow writes are still sent, so that no entry
// outlives a change to its resource. Zero asks the store every time. If
// StoreBackoff is not given, it is [DefaultStoreBackoff].
func StoreBackoff(d time.Duration) Option {
	return func(c *config) {
		if c.cacheWide("StoreBackoff") {
			return
		}
		if d < 0 {
			c.fail("StoreBackoff: %v is negative", d)
			return
		}
		c.backoff = d
	}
}
