package breaker

import (
	"math"
	"time"
)

// buckets is the number of buckets a rolling window is kept in.
const buckets = 10

// window counts attempts and failures over a rolling window of ten buckets.
// It is guarded by the breaker's mutex.
type window struct {
	width int64 // bucket width in nanoseconds
	b     [buckets]bucket
}

type bucket struct {
	epoch    int64 // bucket number since the Unix epoch
	requests uint32
	failures uint32
}

func newWindow(d time.Duration) window {
	w := window{width: int64(d / buckets)}
	w.reset()
	return w
}

// epoch returns the number of the bucket now falls in, rounding down so
// that dates before 1970 (a test clock at the zero time.Time) count too.
func (w *window) epoch(now time.Time) int64 {
	ns := now.UnixNano()
	e := ns / w.width
	if ns%w.width < 0 {
		e--
	}
	return e
}

func (w *window) add(now time.Time, failed bool) {
	e := w.epoch(now)
	i := e % buckets
	if i < 0 {
		i += buckets
	}
	b := &w.b[i]
	if b.epoch != e {
		*b = bucket{epoch: e}
	}
	b.requests++
	if failed {
		b.failures++
	}
}

// sum returns the attempts and failures of the buckets still in the window.
func (w *window) sum(now time.Time) (requests, failures uint32) {
	e := w.epoch(now)
	for i := range w.b {
		if b := &w.b[i]; b.epoch > e-buckets && b.epoch <= e {
			requests += b.requests
			failures += b.failures
		}
	}
	return requests, failures
}

func (w *window) reset() {
	for i := range w.b {
		w.b[i] = bucket{epoch: math.MinInt64} // no bucket of a real time
	}
}
