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
