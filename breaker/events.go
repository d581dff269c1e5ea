package breaker

import "time"

// events are the state changes made under the lock, delivered after it is
// released so that callbacks may call back into the breaker.
type events struct {
	n       int
	from    [2]State
	to      [2]State
	publish bool
	state   State
	gen     uint64
	expiry  time.Time
}

func (e *events) add(from, to State) {
	if e.n < len(e.from) {
		e.from[e.n], e.to[e.n] = from, to
		e.n++
	}
}

func (b *Breaker) emit(e *events) {
	if e.n == 0 {
		return
	}
	if f := b.s.OnStateChange; f != nil {
		for i := 0; i < e.n; i++ {
			f(b.s.Name, e.from[i].String(), e.to[i].String())
		}
	}
	if e.publish && b.s.Store != nil {
		b.publish(e)
	}
}
