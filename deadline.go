package gateway

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlineCtx carries a route's deadline without paying for it until
// somebody waits on it. context.WithTimeout starts a timer and links itself
// to its parent for every request; most handlers that finish quickly (a
// cache hit, a mock, an in-process function) never call Done, so the timer
// is only started the first time Done is asked for. Err and Deadline are
// exact either way.
type deadlineCtx struct {
	context.Context // the parent
	deadline        time.Time

	mu      sync.Mutex      // serialises starting the timer
	started atomic.Bool     // set once timed and cancel are
	timed   context.Context // context.WithDeadline(parent, deadline)
	cancel  context.CancelFunc
}

func newDeadlineCtx(parent context.Context, timeout time.Duration) *deadlineCtx {
	return &deadlineCtx{Context: parent, deadline: time.Now().Add(timeout)}
}

// Deadline returns the earlier of the route's and the parent's deadlines.
func (c *deadlineCtx) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done starts the deadline's timer on first use.
func (c *deadlineCtx) Done() <-chan struct{} {
	if c.started.Load() {
		return c.timed.Done()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started.Load() {
		c.timed, c.cancel = context.WithDeadline(c.Context, c.deadline)
		c.started.Store(true)
	}
	return c.timed.Done()
}

// Err reports the parent's error, or DeadlineExceeded once the deadline has
// passed, whether or not the timer was started.
func (c *deadlineCtx) Err() error {
	if c.started.Load() {
		return c.timed.Err()
	}
	if err := c.Context.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// Value answers from the timed context once it exists, so that contexts
// derived from this one attach to its cancellation directly (the context
// package finds the nearest cancelable ancestor through Value) instead of
// each starting a goroutine to watch Done.
func (c *deadlineCtx) Value(key any) any {
	if c.started.Load() {
		return c.timed.Value(key)
	}
	return c.Context.Value(key)
}

// release stops the timer, if it was started.
func (c *deadlineCtx) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started.Load() {
		c.cancel()
	}
}
