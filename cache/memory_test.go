package cache

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

func memEntry(body int) *Entry {
	now := time.Now()
	return NewEntry(200, nil, make([]byte, body), now, now.Add(time.Hour))
}

func TestMemoryStoreSizeBound(t *testing.T) {
	size := memEntry(1000).Size() + int64(len("k0"))
	m, err := NewMemoryStore(MemoryStoreConfig{MaxBytes: 3 * size})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	for i := range 5 {
		if err := m.Set(ctx, "k"+strconv.Itoa(i), memEntry(1000), time.Minute); err != nil {
			t.Fatal(err)
		}
		if m.Bytes() > 3*size {
			t.Fatalf("after %d sets: %d bytes > bound %d", i+1, m.Bytes(), 3*size)
		}
	}
	if m.Len() != 3 {
		t.Errorf("Len = %d, want 3", m.Len())
	}
	for i, want := range []bool{false, false, true, true, true} {
		e, _ := m.Get(ctx, "k"+strconv.Itoa(i))
		if (e != nil) != want {
			t.Errorf("k%d present %v, want %v (oldest evicted first)", i, e != nil, want)
		}
	}
	// Replacing an entry does not count it twice.
	_ = m.Set(ctx, "k4", memEntry(1000), time.Minute)
	if m.Len() != 3 || m.Bytes() != 3*size {
		t.Errorf("after replace: %d entries, %d bytes", m.Len(), m.Bytes())
	}
	// An entry larger than the bound is not stored and evicts nothing.
	_ = m.Set(ctx, "big", memEntry(10_000), time.Minute)
	if e, _ := m.Get(ctx, "big"); e != nil || m.Len() != 3 {
		t.Errorf("oversized entry stored: %v, %d entries", e != nil, m.Len())
	}
	if err := m.DeletePrefix(ctx, "k3"); err != nil || m.Len() != 2 {
		t.Errorf("DeletePrefix: %v, %d entries", err, m.Len())
	}
	if err := m.Flush(ctx); err != nil || m.Len() != 0 || m.Bytes() != 0 {
		t.Errorf("Flush: %v, %d entries, %d bytes", err, m.Len(), m.Bytes())
	}
}

func TestMemoryStoreExpiry(t *testing.T) {
	clk := newClock()
	m, err := NewMemoryStore(MemoryStoreConfig{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	_ = m.Set(ctx, "gone", memEntry(10), time.Minute)
	_ = m.Set(ctx, "kept", memEntry(10), time.Hour)
	_ = m.Set(ctx, "zero", memEntry(10), 0)
	if e, _ := m.Get(ctx, "gone"); e == nil {
		t.Error("fresh entry not returned")
	}
	clk.Advance(time.Minute)
	if e, _ := m.Get(ctx, "gone"); e != nil {
		t.Error("expired entry returned")
	}
	m.DeleteExpired()
	if m.Len() != 1 {
		t.Errorf("Len after DeleteExpired = %d, want 1", m.Len())
	}
}

func TestMemoryStoreConfig(t *testing.T) {
	if _, err := NewMemoryStore(MemoryStoreConfig{MaxBytes: -1}); err == nil {
		t.Error("negative MaxBytes accepted")
	}
	m, err := NewMemoryStore(MemoryStoreConfig{CleanupInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Close stops the cleanup loop (goleak checks it) and may repeat.
	_ = m.Close()
	_ = m.Close()
}

// TestMemoryStoreBoundUnderConcurrency has many goroutines store, replace,
// delete and purge at once: the total stays within the bound throughout,
// and afterwards the accounted bytes are those of the entries held.
func TestMemoryStoreBoundUnderConcurrency(t *testing.T) {
	size := memEntry(1000).Size() + int64(len("k00"))
	bound := 8 * size
	m, err := NewMemoryStore(MemoryStoreConfig{MaxBytes: bound})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				key := "k" + strconv.Itoa(g) + strconv.Itoa(i%10)
				switch i % 7 {
				case 5:
					_ = m.Delete(ctx, key)
				case 6:
					_ = m.DeletePrefix(ctx, "k"+strconv.Itoa(g))
				default:
					_ = m.Set(ctx, key, memEntry(1000), time.Minute)
				}
				if b := m.Bytes(); b > bound {
					t.Errorf("%d bytes held, bound %d", b, bound)
					return
				}
			}
		})
	}
	wg.Wait()
	var held int64
	for g := range 8 {
		for i := range 10 {
			key := "k" + strconv.Itoa(g) + strconv.Itoa(i)
			if e, _ := m.Get(ctx, key); e != nil {
				held += e.Size() + int64(len(key))
			}
		}
	}
	if b := m.Bytes(); b != held {
		t.Errorf("accounted %d bytes, entries held take %d", b, held)
	}
}
