package observe

import (
	"sync"
	"sync/atomic"
)

// lazyMap is a copy-on-write map for pre-resolved metric children: reads
// are one atomic load and a map lookup, with no lock and no allocation;
// the rare write (a new label combination) copies the map. Its keys have
// bounded cardinality (route templates, stages, status classes), so the
// copies stay small and stop once every combination has been seen.
type lazyMap[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

// load returns the value stored for k.
func (c *lazyMap[K, V]) load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// store records v for k unless a value is already there, and returns the
// value kept.
func (c *lazyMap[K, V]) store(k K, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	var n map[K]V
	if old != nil {
		if have, ok := (*old)[k]; ok {
			return have
		}
		n = make(map[K]V, len(*old)+1)
		for k, v := range *old {
			n[k] = v
		}
	} else {
		n = make(map[K]V, 1)
	}
	n[k] = v
	c.m.Store(&n)
	return v
}
