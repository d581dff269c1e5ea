package auth

import (
	"sync"
	"time"
)

// evictScan is how many entries a full cache examines to make room.
const evictScan = 32

// tokenCache remembers verified tokens by the SHA-256 of the token, so a
// repeated token skips parsing and signature verification. It holds at
// most max entries; only verified tokens enter it, so invalid tokens
// cannot fill it.
type tokenCache struct {
	mu  sync.RWMutex
	m   map[[32]byte]*verified
	max int
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{m: make(map[[32]byte]*verified, min(max, 1024)), max: max}
}

func (c *tokenCache) get(k [32]byte) *verified {
	c.mu.RLock()
	v := c.m[k]
	c.mu.RUnlock()
	return v
}

// put stores v. A full cache first drops expired entries among a few it
// looks at, else one of them, so inserting stays cheap.
func (c *tokenCache) put(k [32]byte, v *verified, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		var victim [32]byte
		seen, dropped := 0, false
		for key, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, key)
				dropped = true
			} else if seen == 0 {
				victim = key
			}
			if seen++; seen == evictScan {
				break
			}
		}
		if !dropped {
			delete(c.m, victim)
		}
	}
	c.m[k] = v
}

func (c *tokenCache) remove(k [32]byte) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

func (c *tokenCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
