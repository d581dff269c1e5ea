package ratelimit

import (
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// clock is a settable clock for tests.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.ns.Store(t.UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// epoch is a Wednesday, 2025-01-15 12:00 UTC.
var epoch = time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)

func memStore(t testing.TB, c *clock, maxKeys int) *MemoryStore {
	t.Helper()
	s, err := NewMemoryStore(MemoryOptions{MaxKeys: maxKeys, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
