package breaker

import (
	"encoding/json"
	"time"

	"github.com/sony/gobreaker/v2"
)

// sharedKey is where a breaker's state lives in the shared store: the key
// gobreaker's distributed breaker uses, so both see the same state.
func (b *Breaker) sharedKey() string { return "gobreaker:state:" + b.s.Name }

// publish writes a state change to the shared store.
func (b *Breaker) publish(e *events) {
	st := gobreaker.SharedState{
		State:      e.state,
		Generation: e.gen,
		Buckets:    []gobreaker.Counts{},
		Start:      b.s.Now(),
		Expiry:     e.expiry,
	}
	data, err := json.Marshal(st)
	if err == nil {
		err = b.s.Store.SetData(b.sharedKey(), data)
	}
	if err != nil {
		b.fail("set", err)
	}
}

// sync reads the shared state when it is due, and opens a closed or
// half-open breaker when another instance has tripped it and its open
// interval is not over.
func (b *Breaker) sync(now time.Time) {
	b.mu.Lock()
	due := b.state != StateOpen && !now.Before(b.nextSync)
	if due {
		b.nextSync = now.Add(b.s.SyncInterval)
	}
	b.mu.Unlock()
	if !due {
		return
	}
	data, err := b.s.Store.GetData(b.sharedKey())
	if err != nil {
		b.fail("get", err)
		return
	}
	if len(data) == 0 {
		return
	}
	var st gobreaker.SharedState
	if err := json.Unmarshal(data, &st); err != nil {
		b.fail("get", err)
		return
	}
	if st.State != StateOpen || !st.Expiry.After(now) {
		return
	}
	b.mu.Lock()
	var ev events
	if b.state != StateOpen {
		ev.add(b.state, StateOpen)
		b.state = StateOpen
		b.gen++
		b.snap.Store(b.gen<<2 | uint64(StateOpen))
		b.consec, b.probes, b.passed = 0, 0, 0
		b.expiry = st.Expiry
	}
	b.mu.Unlock()
	b.emit(&ev) // not published again: the store already holds it
}

func (b *Breaker) fail(op string, err error) {
	if f := b.s.OnError; f != nil {
		f(op, err)
	}
}
