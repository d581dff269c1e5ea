package cache

import (
	"sync"
)

// flight is one upstream call that concurrent misses on a key wait for.
//
// golang.org/x/sync/singleflight would release the waiters only when the
// call returns, which for a response streamed through uncached is when the
// stream ends; a flight releases them as soon as the leader knows whether
// its response can be shared.
type flight struct {
	done  chan struct{}
	entry *Entry // set before done is closed; nil: each waiter calls on its own
	stale bool   // entry is an expired one, served because upstream failed
	once  sync.Once
}

// flights is the set of calls in progress, by key.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// join returns the flight for key, and true when the caller is its leader
// and must call upstream and then land it.
func (fs *flights) join(key string) (*flight, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.m[key]; ok {
		return f, false
	}
	if fs.m == nil {
		fs.m = make(map[string]*flight)
	}
	f := &flight{done: make(chan struct{})}
	fs.m[key] = f
	return f, true
}

// land ends f with e, which waiters may serve (as a stale entry when stale
// is set), or nil, which sends each of them upstream on their own. Only the
// first call has an effect. A request arriving afterwards starts a new
// flight.
func (fs *flights) land(key string, f *flight, e *Entry, stale bool) {
	f.once.Do(func() {
		fs.mu.Lock()
		if fs.m[key] == f {
			delete(fs.m, key)
		}
		fs.mu.Unlock()
		f.entry, f.stale = e, stale
		close(f.done)
	})
}
