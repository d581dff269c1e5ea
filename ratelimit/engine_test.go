package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// flakyStore is a MemoryStore that can be made to fail or to hang, as a
// remote store does when its server goes away.
type flakyStore struct {
	*MemoryStore
	down, hang atomic.Bool
	calls      atomic.Int64
}

var errDown = errors.New("connection refused")

func (f *flakyStore) Take(ctx context.Context, req Request) (Result, error) {
	f.calls.Add(1)
	if f.hang.Load() {
		<-ctx.Done()
		return Result{}, ctx.Err()
	}
	if f.down.Load() {
		return Result{}, errDown
	}
	return f.MemoryStore.Take(ctx, req)
}

func TestFailOpenBacksOffAndRecovers(t *testing.T) {
	c := newClock(epoch)
	f := &flakyStore{MemoryStore: memStore(t, c, 0)}
	var seen atomic.Int64
	lim := newLimiter(t, PerMinute(1), Name("n"), WithStore(f), Clock(c.Now), Backoff(5*time.Second),
		OnStoreError(func(name string, err error) {
			if name == "n" && errors.Is(err, errDown) {
				seen.Add(1)
			}
		}))
	if r, err := lim.Allow(ctx, "k"); !r.Allowed || err != nil {
		t.Fatalf("healthy: %+v %v", r, err)
	}
	f.down.Store(true)
	for i := 0; i < 10; i++ {
		r, err := lim.Allow(ctx, "k")
		if !r.Allowed || !errors.Is(err, ErrUnavailable) {
			t.Fatalf("down, request %d: %+v %v", i, r, err)
		}
	}
	if n := f.calls.Load(); n != 2 {
		t.Fatalf("store asked %d times while backing off, want 2", n)
	}
	f.down.Store(false)
	c.Advance(5 * time.Second)
	if r, err := lim.Allow(ctx, "k"); r.Allowed || err != nil {
		t.Fatalf("recovered: %+v %v (the bucket emptied before the outage is still empty)", r, err)
	}
	want := Stats{Throttled: 1, StoreErrors: 1, FailedOpen: 10}
	if s := lim.Stats(); s != want || seen.Load() != 1 {
		t.Fatalf("stats %+v, errors seen %d", s, seen.Load())
	}
}

func TestFailOpenFallback(t *testing.T) {
	c := newClock(epoch)
	f := &flakyStore{MemoryStore: memStore(t, c, 0)}
	f.down.Store(true)
	h := newLimiter(t, PerMinute(2), Name("n"), WithStore(f), FailOpen(memStore(t, c, 0)), Backoff(-1)).Handler(ok)
	codes := []int{}
	for i := 0; i < 3; i++ {
		codes = append(codes, serve(h, get()).Code)
	}
	if codes[0] != 204 || codes[1] != 204 || codes[2] != 429 {
		t.Fatalf("fallback decisions %v", codes)
	}
	if n := f.calls.Load(); n != 3 {
		t.Fatalf("store asked %d times with no backoff, want 3", n)
	}
}

func TestFailClosed(t *testing.T) {
	c := newClock(epoch)
	f := &flakyStore{MemoryStore: memStore(t, c, 0)}
	f.hang.Store(true)
	lim := newLimiter(t, PerSecond(10), Name("n"), WithStore(f), FailClosed(), Timeout(20*time.Millisecond), Clock(c.Now))
	rec := serve(lim.Handler(ok), get())
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("fail closed: %d %v", rec.Code, rec.Header())
	}
	_, err := lim.Allow(ctx, "x")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err %v", err)
	}
	if s := lim.Stats(); s.FailedClosed != 2 || s.StoreErrors != 1 {
		t.Fatalf("stats %+v", s)
	}
	c.Advance(DefaultBackoff)
	_, err = lim.Allow(ctx, "x")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("after backoff the store is asked again and times out: %v", err)
	}
}

func TestClientGoneIsNotAStoreError(t *testing.T) {
	c := newClock(epoch)
	f := &flakyStore{MemoryStore: memStore(t, c, 0)}
	f.hang.Store(true)
	lim := newLimiter(t, PerSecond(10), Name("n"), WithStore(f), Clock(c.Now))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if r, err := lim.Allow(cctx, "x"); r.Allowed || !errors.Is(err, context.Canceled) {
		t.Fatalf("%+v %v", r, err)
	}
	if s := lim.Stats(); s != (Stats{}) {
		t.Fatalf("stats %+v", s)
	}
}
