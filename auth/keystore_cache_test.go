package auth

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// countingStore counts lookups reaching a memory store, and can fail them.
type countingStore struct {
	*MemoryKeyStore
	lookups atomic.Int64
	fail    atomic.Bool
}

func (s *countingStore) Lookup(ctx context.Context, h KeyHash) (*APIKey, error) {
	s.lookups.Add(1)
	if s.fail.Load() {
		return nil, errDown
	}
	k, err := s.MemoryKeyStore.Lookup(ctx, h)
	if err == nil {
		k = k.Clone() // like a remote store: a fresh record each time
	}
	return k, err
}

func TestCachedKeyStore(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	under := &countingStore{MemoryKeyStore: NewMemoryKeyStore()}
	c, err := NewCachedKeyStore(under, 5*time.Second, 2, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	mgr := &KeyManager{Store: c, Now: clk.Now}
	secret, k, err := mgr.Create(ctx, APIKey{ID: "k", Owner: "o"})
	if err != nil {
		t.Fatal(err)
	}
	h := HashKey(secret)
	for range 3 {
		got, err := c.Lookup(ctx, h)
		if err != nil || got.ID != "k" || got.principal() != got.p || got.p == nil {
			t.Fatalf("Lookup: %+v %v", got, err)
		}
	}
	if n := under.lookups.Load(); n != 1 {
		t.Fatalf("%d lookups reached the store, want 1", n)
	}

	// Unknown keys are never remembered.
	for range 5 {
		if _, err := c.Lookup(ctx, HashKey(GenerateKey())); !errors.Is(err, ErrKeyNotFound) {
			t.Fatal(err)
		}
	}
	if c.Len() != 1 || under.lookups.Load() != 6 {
		t.Fatalf("len %d, %d lookups", c.Len(), under.lookups.Load())
	}

	// A change through the cache applies at once.
	if _, err := mgr.SetDisabled(ctx, "k", true); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Lookup(ctx, h); !got.Disabled {
		t.Fatal("a disable through the cache was not seen at once")
	}
	// A change made elsewhere applies within the TTL.
	if _, err := under.Update(ctx, "k", func(k *APIKey) error { k.Disabled = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Lookup(ctx, h); !got.Disabled {
		t.Fatal("expected the cached record within the TTL")
	}
	clk.Advance(5 * time.Second)
	if got, _ := c.Lookup(ctx, h); got.Disabled {
		t.Fatal("a change made elsewhere was not seen after the TTL")
	}
	// Errors are not cached, and a failure is reported, not hidden.
	clk.Advance(5 * time.Second)
	under.fail.Store(true)
	if _, err := c.Lookup(ctx, h); !errors.Is(err, errDown) {
		t.Fatalf("store failure: %v", err)
	}
	under.fail.Store(false)

	// Deleting through the cache forgets at once; the size stays bounded.
	for _, id := range []string{"a", "b", "c"} {
		s, _, err := mgr.Create(ctx, APIKey{ID: id})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Lookup(ctx, HashKey(s)); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() > 2 {
		t.Fatalf("%d entries, bound 2", c.Len())
	}
	if _, err := c.Lookup(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := mgr.Delete(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup(ctx, h); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("deleted key still found: %v", err)
	}
	if _, err := c.Get(ctx, "a"); err != nil {
		t.Fatal(err)
	}
}

func TestNewCachedKeyStoreErrors(t *testing.T) {
	s := NewMemoryKeyStore()
	for _, tc := range []struct {
		store KeyStore
		ttl   time.Duration
		size  int
	}{{nil, time.Second, 1}, {s, 0, 1}, {s, 2 * time.Minute, 1}, {s, time.Second, 0}} {
		if _, err := NewCachedKeyStore(tc.store, tc.ttl, tc.size, nil); err == nil {
			t.Errorf("accepted %+v", tc)
		}
	}
}

// racingStore returns the record it found only after running during, as
// a lookup that is still on the network while the key is changed.
type racingStore struct {
	*MemoryKeyStore
	during func()
}

func (s *racingStore) Lookup(ctx context.Context, h KeyHash) (*APIKey, error) {
	k, err := s.MemoryKeyStore.Lookup(ctx, h)
	if err == nil {
		k = k.Clone()
	}
	if s.during != nil {
		during := s.during
		s.during = nil
		during()
	}
	return k, err
}

// TestCachedKeyStoreChangeDuringLookup disables and deletes a key through
// the cache while a lookup of it is on its way: the record the lookup then
// brings back is out of date and must not be cached, or the key would keep
// working here for the TTL after a change said to apply at once.
func TestCachedKeyStoreChangeDuringLookup(t *testing.T) {
	ctx := context.Background()
	for _, change := range []struct {
		name string
		fn   func(*KeyManager) error
	}{
		{"disable", func(m *KeyManager) error { _, err := m.SetDisabled(ctx, "k", true); return err }},
		{"rotate", func(m *KeyManager) error { _, _, err := m.Rotate(ctx, "k", 0); return err }},
		{"delete", func(m *KeyManager) error { return m.Delete(ctx, "k") }},
	} {
		t.Run(change.name, func(t *testing.T) {
			clk := newClock()
			under := &racingStore{MemoryKeyStore: NewMemoryKeyStore()}
			c, err := NewCachedKeyStore(under, time.Minute, 10, clk.Now)
			if err != nil {
				t.Fatal(err)
			}
			mgr := &KeyManager{Store: c, Now: clk.Now}
			secret, _, err := mgr.Create(ctx, APIKey{ID: "k"})
			if err != nil {
				t.Fatal(err)
			}
			h := HashKey(secret)
			under.during = func() {
				if err := change.fn(mgr); err != nil {
					t.Error(err)
				}
			}
			if _, err := c.Lookup(ctx, h); err != nil {
				t.Fatal(err) // the lookup began before the change
			}
			k, err := c.Lookup(ctx, h)
			switch change.name {
			case "disable":
				if err != nil || !k.Disabled {
					t.Fatalf("after the change: %+v, %v", k, err)
				}
			default:
				if !errors.Is(err, ErrKeyNotFound) {
					t.Fatalf("after the change: %+v, %v", k, err)
				}
			}
		})
	}
}

// getFailingStore cannot read keys by ID, as a store whose connection
// drops between two calls.
type getFailingStore struct{ *MemoryKeyStore }

func (getFailingStore) Get(context.Context, string) (*APIKey, error) { return nil, errDown }

// TestCachedKeyStoreDeleteForgetsWithoutGet checks that a deleted key stops
// working at once on this instance even when the store cannot say which
// secrets the key had.
func TestCachedKeyStoreDeleteForgetsWithoutGet(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	c, err := NewCachedKeyStore(getFailingStore{NewMemoryKeyStore()}, time.Minute, 10, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	mgr := &KeyManager{Store: c, Now: clk.Now}
	secret, _, err := mgr.Create(ctx, APIKey{ID: "k"})
	if err != nil {
		t.Fatal(err)
	}
	h := HashKey(secret)
	if _, err := c.Lookup(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if k, err := c.Lookup(ctx, h); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("a deleted key still authenticates: %+v, %v", k, err)
	}
	if c.Len() != 0 {
		t.Fatalf("%d keys still cached", c.Len())
	}
}
