package cache

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Errors rendered to clients.
var (
	// ErrInvalidationDenied is rendered as 403 Forbidden to a request that
	// asked to refresh its entry without being authorized to, under the
	// [RejectUnauthorized] policy.
	ErrInvalidationDenied = errors.New("cache: not authorized to invalidate the cached response")
	// ErrNotCached is rendered as 504 Gateway Timeout to a request with
	// Cache-Control: only-if-cached that has no fresh entry.
	ErrNotCached = errors.New("cache: no cached response")
)

// Cache is a response cache. Create it with [New], put it in front of a
// handler with [Cache.Handler] or, with options for one route,
// [Cache.Middleware], and release it with [Cache.Close]. One Cache may
// serve many routes; they share its store.
type Cache struct {
	cfg       *config
	def       *handler // the cache's own options, without next
	store     Store
	owned     *MemoryStore
	now       func() time.Time
	flights   flights
	skipUntil atomic.Int64 // Unix nanoseconds until which the store is not asked
	keyBufs   sync.Pool
}

// New returns a Cache configured by opts. It returns every configuration
// mistake at once.
func New(opts ...Option) (*Cache, error) {
	cfg := newConfig(opts)
	if err := cfg.err(); err != nil {
		return nil, err
	}
	c := &Cache{cfg: cfg, store: cfg.store, now: cfg.now}
	if c.now == nil {
		c.now = time.Now
	}
	if c.store == nil {
		m, err := NewMemoryStore(MemoryStoreConfig{MaxBytes: cfg.memoryBytes, Now: cfg.now})
		if err != nil {
			return nil, err
		}
		c.store, c.owned = m, m
	}
	c.def = c.newHandler(cfg, nil)
	c.keyBufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return c, nil
}

// Close releases the memory store the cache created for itself. A store
// given with [WithStore] is left open.
func (c *Cache) Close() error {
	if c.owned != nil {
		return c.owned.Close()
	}
	return nil
}

// Key returns the cache key of r under the cache's own key options (those
// given to [New]), and false when r cannot be cached (its query is
// malformed, or the cache is per principal and r has none).
func (c *Cache) Key(r *http.Request) (string, bool) {
	k, ok := c.def.keyer.appendKey(nil, r, reqctx.From(r.Context()))
	return string(k), ok
}

// Purge removes the entry under key, as returned by [Cache.Key], and the
// variants stored for it when the response varies on request headers.
func (c *Cache) Purge(ctx context.Context, key string) error {
	return c.report("purge", c.store.DeletePrefix(ctx, key))
}

// PurgePath removes every entry of method (HEAD meaning GET) and path, all
// query parameters, headers and principals included.
func (c *Cache) PurgePath(ctx context.Context, method, path string) error {
	return c.report("purge", c.store.DeletePrefix(ctx, pathPrefix(method, (&url.URL{Path: path}).EscapedPath())))
}

// PurgePrefix removes every entry whose key starts with prefix. Keys start
// with the method, a space and the escaped path, so "GET /users/" purges
// every cached GET below /users/.
func (c *Cache) PurgePrefix(ctx context.Context, prefix string) error {
	return c.report("purge", c.store.DeletePrefix(ctx, prefix))
}

// Flush removes every entry from the store, including entries of other
// caches sharing it.
func (c *Cache) Flush(ctx context.Context) error {
	return c.report("flush", c.store.Flush(ctx))
}

// lookup returns the entry under key, fresh or stale, or nil. A store error
// counts as a miss and pauses the store for the backoff, unless it came
// from the client leaving: that says nothing about the store, and a stream
// of abandoned requests must not keep the cache off for everyone.
func (c *Cache) lookup(r *http.Request, key string, now time.Time) *Entry {
	if now.UnixNano() < c.skipUntil.Load() {
		return nil
	}
	e, err := c.store.Get(r.Context(), key)
	if err != nil {
		if r.Context().Err() == nil {
			c.storeFailed("get", err, now)
		}
		return nil
	}
	return e
}

// save stores e under key, unless the store is paused.
func (c *Cache) save(r *http.Request, key string, e *Entry, ttl time.Duration, now time.Time) {
	if now.UnixNano() < c.skipUntil.Load() {
		return
	}
	// The response is complete: store it even if the client has gone.
	if err := c.store.Set(context.WithoutCancel(r.Context()), key, e, ttl); err != nil {
		c.storeFailed("set", err, now)
	}
}

// storeFailed pauses the store for the backoff and reports err.
func (c *Cache) storeFailed(op string, err error, now time.Time) {
	if c.cfg.backoff > 0 {
		c.skipUntil.Store(now.Add(c.cfg.backoff).UnixNano())
	}
	c.report(op, err)
}

// report passes a non-nil err to the OnError function and returns it.
func (c *Cache) report(op string, err error) error {
	if err != nil && c.cfg.onError != nil {
		c.cfg.onError(op, err)
	}
	return err
}
