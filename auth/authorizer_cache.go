package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// decisionCache is a bounded LRU of authorizer outcomes with a TTL. Keys
// are hashes, so memory per entry is fixed whatever the tokens' size.
type decisionCache struct {
	mu    sync.Mutex
	max   int
	items map[[sha256.Size]byte]*cacheItem
	// A circular doubly linked list through the items; head.next is the
	// most recently used.
	head cacheItem
}

type cacheItem struct {
	key        [sha256.Size]byte
	out        *outcome
	expires    int64 // unix nanoseconds
	prev, next *cacheItem
}

func newDecisionCache(max int) *decisionCache {
	c := &decisionCache{max: max, items: make(map[[sha256.Size]byte]*cacheItem)}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// get returns the unexpired outcome under key, or nil.
func (c *decisionCache) get(key [sha256.Size]byte, now time.Time) *outcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	it := c.items[key]
	if it == nil {
		return nil
	}
	if now.UnixNano() >= it.expires {
		c.remove(it)
		return nil
	}
	c.unlink(it)
	c.pushFront(it)
	return it.out
}

// put stores out under key until now+ttl, evicting the least recently used
// entry when the cache is full.
func (c *decisionCache) put(key [sha256.Size]byte, out *outcome, now time.Time, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it := c.items[key]; it != nil {
		it.out, it.expires = out, now.Add(ttl).UnixNano()
		c.unlink(it)
		c.pushFront(it)
		return
	}
	for len(c.items) >= c.max {
		c.remove(c.head.prev)
	}
	it := &cacheItem{key: key, out: out, expires: now.Add(ttl).UnixNano()}
	c.items[key] = it
	c.pushFront(it)
}

func (c *decisionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *decisionCache) remove(it *cacheItem) {
	c.unlink(it)
	delete(c.items, it.key)
}

func (c *decisionCache) unlink(it *cacheItem) {
	it.prev.next, it.next.prev = it.next, it.prev
}

func (c *decisionCache) pushFront(it *cacheItem) {
	it.prev, it.next = &c.head, c.head.next
	c.head.next.prev = it
	c.head.next = it
}
