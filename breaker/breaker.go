package breaker

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// State is a breaker's state; its String method gives "closed", "open" or
// "half-open".
type State = gobreaker.State

// The states of a breaker.
const (
	StateClosed   = gobreaker.StateClosed
	StateHalfOpen = gobreaker.StateHalfOpen
	StateOpen     = gobreaker.StateOpen
)

// Breaker is a two-step circuit breaker: [Breaker.Allow] asks whether an
// attempt may go to the upstream and [Breaker.Done] reports how it went, so
// it fits a proxy, where the call and its outcome happen in different
// places. It follows gobreaker's state machine: closed until a threshold
// trips it, open for the open interval, then half-open, admitting a bounded
// number of probes whose successes close it and whose first failure opens
// it again. It is safe for concurrent use.
type Breaker struct {
	s Settings

	mu       sync.Mutex
	state    State
	gen      uint64        // bumped on every state change; stale tickets are dropped
	snap     atomic.Uint64 // gen<<2 | state, for Allow's lock-free closed path
	expiry   time.Time     // when an open breaker becomes half-open
	consec   uint32        // consecutive failures while closed
	probes   uint32        // probes admitted while half-open, ignored ones excepted
	passed   uint32        // probe successes while half-open
	win      window
	nextSync time.Time
}

// Ticket is an admitted attempt, handed back to [Breaker.Done].
type Ticket struct {
	gen   uint64
	probe bool
}

// New returns a closed breaker, or an error when the settings are invalid.
func New(s Settings) (*Breaker, error) {
	s, err := s.normalize()
	if err != nil {
		return nil, err
	}
	return &Breaker{s: s, win: newWindow(s.Window)}, nil
}

// Name returns the breaker's name.
func (b *Breaker) Name() string { return b.s.Name }

// State returns the breaker's current state.
func (b *Breaker) State() State {
	now := b.s.Now()
	b.mu.Lock()
	var ev events
	b.advance(now, &ev)
	st := b.state
	b.mu.Unlock()
	b.emit(&ev)
	return st
}

// Allow reports whether an attempt may go to the upstream. When it may, the
// caller must report the attempt's result with Done and the returned
// ticket. Otherwise the error is an [*OpenError] matching [ErrOpen] that
// says when to retry; a half-open breaker whose probes are all in flight
// rejects the same way.
func (b *Breaker) Allow() (Ticket, error) {
	if b.s.Store == nil {
		// Closed is decided without the lock or the clock.
		if v := b.snap.Load(); State(v&3) == StateClosed {
			return Ticket{gen: v >> 2}, nil
		}
	}
	now := b.s.Now()
	if b.s.Store != nil {
		b.sync(now)
	}
	b.mu.Lock()
	var ev events
	b.advance(now, &ev)
	var (
		t   Ticket
		err error
	)
	switch b.state {
	case StateClosed:
		t = Ticket{gen: b.gen}
	case StateHalfOpen:
		if b.probes < b.s.MaxRequests {
			b.probes++
			t = Ticket{gen: b.gen, probe: true}
		} else {
			err = &OpenError{Name: b.s.Name, RetryAfter: time.Second}
		}
	default:
		err = &OpenError{Name: b.s.Name, RetryAfter: b.expiry.Sub(now)}
	}
	b.mu.Unlock()
	b.emit(&ev)
	return t, err
}

// Done reports the result of an attempt admitted by Allow: the response
// status (0 when there was none) and the error, classified by
// [Settings.Classify]. Results of attempts admitted before the last state
// change are ignored.
func (b *Breaker) Done(t Ticket, status int, err error) {
	b.Record(t, b.s.Classify(status, err))
}

// Record reports an already classified result of an attempt admitted by
// Allow.
func (b *Breaker) Record(t Ticket, o Outcome) {
	now := b.s.Now()
	b.mu.Lock()
	var ev events
	b.advance(now, &ev)
	if t.gen == b.gen {
		switch b.state {
		case StateClosed:
			b.recordClosed(now, o, &ev)
		case StateHalfOpen:
			// A probe whose result says nothing gives its place to
			// another; the others keep theirs, so the half-open breaker
			// admits MaxRequests probes in all.
			if t.probe && o == Ignore && b.probes > 0 {
				b.probes--
			}
			switch o {
			case Success:
				b.passed++
				if b.passed >= b.s.MaxRequests {
					b.setState(StateClosed, now, &ev)
				}
			case Failure:
				b.setState(StateOpen, now, &ev)
			}
		}
	}
	b.mu.Unlock()
	b.emit(&ev)
}

func (b *Breaker) recordClosed(now time.Time, o Outcome, ev *events) {
	switch o {
	case Success:
		b.consec = 0
		b.win.add(now, false)
	case Failure:
		b.consec++
		b.win.add(now, true)
		if b.s.ConsecutiveFailures > 0 && b.consec >= b.s.ConsecutiveFailures {
			b.setState(StateOpen, now, ev)
			return
		}
		if b.s.FailureRatio > 0 {
			req, fail := b.win.sum(now)
			if req >= b.s.MinRequests && float64(fail) >= b.s.FailureRatio*float64(req) {
				b.setState(StateOpen, now, ev)
			}
		}
	}
}

// RetryAfter returns how long an open breaker stays open, or 0.
func (b *Breaker) RetryAfter() time.Duration {
	now := b.s.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state != StateOpen || !b.expiry.After(now) {
		return 0
	}
	return b.expiry.Sub(now)
}

// advance moves an open breaker whose interval is over to half-open.
func (b *Breaker) advance(now time.Time, ev *events) {
	if b.state == StateOpen && !now.Before(b.expiry) {
		b.setState(StateHalfOpen, now, ev)
	}
}

// setState changes the state, starts a new generation and records the
// change for emit. The caller holds b.mu.
func (b *Breaker) setState(to State, now time.Time, ev *events) {
	if b.state == to {
		return
	}
	ev.add(b.state, to)
	b.state = to
	b.gen++
	b.snap.Store(b.gen<<2 | uint64(to))
	b.consec, b.probes, b.passed = 0, 0, 0
	switch to {
	case StateOpen:
		b.expiry = now.Add(b.s.OpenInterval)
		ev.publish, ev.expiry = true, b.expiry
	case StateClosed:
		b.win.reset()
		ev.publish, ev.expiry = true, time.Time{}
	}
	ev.gen, ev.state = b.gen, to
}

// Classify returns how the breaker counts an attempt's result, by
// [Settings.Classify].
func (b *Breaker) Classify(status int, err error) Outcome { return b.s.Classify(status, err) }
