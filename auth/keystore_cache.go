package auth

import (
	"context"
	"errors"
	"sync"
	"time"
)

// CachedKeyStore keeps the keys a slower [KeyStore] (such as the Redis one
// in redisstore) found, in process memory for a short time, so most
// requests authenticate without a network round trip. Only keys that were
// found are kept: unknown keys create no state and always reach the store.
// Errors are never cached.
//
// Changes made through this CachedKeyStore apply at once on this instance;
// changes made elsewhere (another gateway instance, an admin tool) apply
// here within the TTL. Choose the TTL as the longest time a disabled or
// deleted key may keep working.
type CachedKeyStore struct {
	store KeyStore
	ttl   time.Duration
	max   int
	now   func() time.Time

	mu    sync.Mutex
	items map[KeyHash]cachedKey
	// gen counts the changes made through the cache. A lookup caches what
	// it found only if no change happened while it asked the store, since
	// the record may predate the change.
	gen uint64
}

type cachedKey struct {
	k       *APIKey
	expires time.Time
}

// NewCachedKeyStore caches up to size keys of store for ttl each. ttl must
// be positive and at most a minute; size must be positive. now, if not
// nil, is the clock (time.Now by default).
func NewCachedKeyStore(store KeyStore, ttl time.Duration, size int, now func() time.Time) (*CachedKeyStore, error) {
	switch {
	case store == nil:
		return nil, errors.New("auth: NewCachedKeyStore: nil store")
	case ttl <= 0 || ttl > time.Minute:
		return nil, errors.New("auth: NewCachedKeyStore: ttl must be in (0, 1m]")
	case size <= 0:
		return nil, errors.New("auth: NewCachedKeyStore: size must be positive")
	}
	if now == nil {
		now = time.Now
	}
	return &CachedKeyStore{store: store, ttl: ttl, max: size, now: now, items: make(map[KeyHash]cachedKey)}, nil
}

// Lookup implements [KeyStore], answering from memory when it can.
func (c *CachedKeyStore) Lookup(ctx context.Context, h KeyHash) (*APIKey, error) {
	now := c.now()
	c.mu.Lock()
	it, ok := c.items[h]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Before(it.expires) {
		return it.k, nil
	}
	k, err := c.store.Lookup(ctx, h)
	if err != nil {
		if errors.Is(err, ErrKeyNotFound) && ok {
			c.forget(h)
		}
		return nil, err
	}
	if k.p == nil {
		k = k.Clone()
		k.p = k.newPrincipal() // shared by every request the entry serves
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return k, nil
	}
	if _, had := c.items[h]; !had && len(c.items) >= c.max {
		for old := range c.items { // evict an arbitrary entry
			delete(c.items, old)
			break
		}
	}
	c.items[h] = cachedKey{k: k, expires: now.Add(c.ttl)}
	return k, nil
}

// Get implements [KeyStore]; it always asks the store.
func (c *CachedKeyStore) Get(ctx context.Context, id string) (*APIKey, error) {
	return c.store.Get(ctx, id)
}

// Create implements [KeyStore].
func (c *CachedKeyStore) Create(ctx context.Context, k *APIKey) error {
	return c.store.Create(ctx, k)
}

// Update implements [KeyStore] and forgets the key's cached secrets.
func (c *CachedKeyStore) Update(ctx context.Context, id string, fn func(*APIKey) error) (*APIKey, error) {
	var before []KeySecret
	k, err := c.store.Update(ctx, id, func(k *APIKey) error {
		before = append(before[:0], k.Secrets...)
		return fn(k)
	})
	c.forgetSecrets(before)
	if k != nil {
		c.forgetSecrets(k.Secrets)
	}
	return k, err
}

// Delete implements [KeyStore] and forgets the key's cached secrets,
// whichever they are.
func (c *CachedKeyStore) Delete(ctx context.Context, id string) error {
	err := c.store.Delete(ctx, id)
	c.forgetID(id)
	return err
}

// Len returns the number of keys held in memory.
func (c *CachedKeyStore) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *CachedKeyStore) forget(h KeyHash) {
	c.mu.Lock()
	c.gen++
	delete(c.items, h)
	c.mu.Unlock()
}

// forgetID forgets every cached secret of the key with the given id.
func (c *CachedKeyStore) forgetID(id string) {
	c.mu.Lock()
	c.gen++
	for h, it := range c.items {
		if it.k.ID == id {
			delete(c.items, h)
		}
	}
	c.mu.Unlock()
}

func (c *CachedKeyStore) forgetSecrets(secrets []KeySecret) {
	c.mu.Lock()
	c.gen++
	for _, s := range secrets {
		delete(c.items, s.Hash)
	}
	c.mu.Unlock()
}
