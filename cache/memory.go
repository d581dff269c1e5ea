package cache

import (
	"container/list"
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	gocache "github.com/patrickmn/go-cache"
)

// DefaultCleanupInterval is how often a [MemoryStore] removes expired
// entries when its config does not say.
const DefaultCleanupInterval = time.Minute

// MemoryStoreConfig configures a [MemoryStore].
type MemoryStoreConfig struct {
	// MaxBytes bounds the total size of the entries, as counted by
	// [Entry.Size] plus the key. When a new entry would exceed it, the
	// oldest entries are evicted first. An entry larger than MaxBytes is
	// not stored. If MaxBytes is 0, it is [DefaultMemoryBytes].
	MaxBytes int64
	// CleanupInterval is how often expired entries are removed. If
	// CleanupInterval is 0, it is [DefaultCleanupInterval].
	CleanupInterval time.Duration
	// Now is the clock entries expire by. If Now is nil, time.Now is used.
	Now func() time.Time
}

// MemoryStore is a [Store] in process memory, on github.com/patrickmn/go-cache
// with a bound on the total size of its entries. Lookups take only
// go-cache's read lock. A background loop removes expired entries until
// [MemoryStore.Close].
type MemoryStore struct {
	items *gocache.Cache // of *memoryItem, which carry their own expiry
	max   int64
	now   func() time.Time

	mu    sync.Mutex               // guards every write, index, order, bytes
	index map[string]*list.Element // of *memorySlot
	order *list.List               // oldest first
	bytes int64

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// memoryItem is what go-cache holds: the entry and when it expires, in
// Unix nanoseconds of the store's clock.
type memoryItem struct {
	entry   *Entry
	expires int64
}

type memorySlot struct {
	key     string
	size    int64
	expires time.Time
}

// NewMemoryStore returns a MemoryStore and starts its cleanup loop.
func NewMemoryStore(cfg MemoryStoreConfig) (*MemoryStore, error) {
	if cfg.MaxBytes < 0 || cfg.CleanupInterval < 0 {
		return nil, errors.New("cache: negative MemoryStoreConfig value")
	}
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMemoryBytes
	}
	if cfg.CleanupInterval == 0 {
		cfg.CleanupInterval = DefaultCleanupInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &MemoryStore{
		// go-cache's own janitor cannot be stopped, and its expiry reads
		// the wall clock: items never expire in go-cache, and the store
		// checks their expiry and runs the cleanup loop below instead.
		items: gocache.New(gocache.NoExpiration, 0),
		max:   cfg.MaxBytes,
		now:   cfg.Now,
		index: make(map[string]*list.Element),
		order: list.New(),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go m.cleanup(cfg.CleanupInterval)
	return m, nil
}

func (m *MemoryStore) cleanup(every time.Duration) {
	defer close(m.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.DeleteExpired()
		}
	}
}

// Close stops the cleanup loop and waits for it. The store still answers
// afterwards, without removing expired entries in the background.
func (m *MemoryStore) Close() error {
	m.closeOnce.Do(func() { close(m.stop) })
	<-m.done
	return nil
}

// Get returns the entry under key, or nil when there is none or its time
// to live has passed.
func (m *MemoryStore) Get(_ context.Context, key string) (*Entry, error) {
	v, ok := m.items.Get(key)
	if !ok {
		return nil, nil
	}
	it := v.(*memoryItem)
	if m.now().UnixNano() >= it.expires {
		return nil, nil
	}
	return it.entry, nil
}

// Set stores e under key for ttl, evicting the oldest entries while the
// total size would exceed the bound.
func (m *MemoryStore) Set(_ context.Context, key string, e *Entry, ttl time.Duration) error {
	size := e.Size() + int64(len(key))
	m.mu.Lock()
	defer m.mu.Unlock()
	m.remove(key)
	if size > m.max || ttl <= 0 {
		return nil
	}
	for m.bytes+size > m.max {
		m.remove(m.order.Front().Value.(*memorySlot).key)
	}
	expires := m.now().Add(ttl)
	m.index[key] = m.order.PushBack(&memorySlot{key: key, size: size, expires: expires})
	m.bytes += size
	m.items.Set(key, &memoryItem{entry: e, expires: expires.UnixNano()}, gocache.NoExpiration)
	return nil
}

// remove deletes key from the index and go-cache; m.mu must be held.
func (m *MemoryStore) remove(key string) {
	el, ok := m.index[key]
	if !ok {
		return
	}
	m.order.Remove(el)
	delete(m.index, key)
	m.bytes -= el.Value.(*memorySlot).size
	m.items.Delete(key)
}

// Delete removes the entry under key.
func (m *MemoryStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	m.remove(key)
	m.mu.Unlock()
	return nil
}

// DeletePrefix removes every entry whose key starts with prefix. It scans
// all keys.
func (m *MemoryStore) DeletePrefix(_ context.Context, prefix string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key := range m.index {
		if strings.HasPrefix(key, prefix) {
			m.remove(key)
		}
	}
	return nil
}

// Flush removes every entry.
func (m *MemoryStore) Flush(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items.Flush()
	clear(m.index)
	m.order.Init()
	m.bytes = 0
	return nil
}

// DeleteExpired removes the entries whose time has passed. The cleanup loop
// calls it every CleanupInterval.
func (m *MemoryStore) DeleteExpired() {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, el := range m.index {
		if !now.Before(el.Value.(*memorySlot).expires) {
			m.remove(key)
		}
	}
}

// Len returns the number of entries held, expired or not.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.index)
}

// Bytes returns the total size of the entries held.
func (m *MemoryStore) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}
