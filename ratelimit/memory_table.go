package ratelimit

import (
	"strings"
	"sync"
)

// maxShards is the number of shards of a large MemoryStore.
const maxShards = 64

type tableKey struct {
	scope, key string
}

type entry struct {
	k   tableKey
	h   uint64 // the seeded hash of k
	st  state
	ref bool // used since the clock hand last passed
}

// shard is one lock's worth of a MemoryStore: a bounded table of entries
// indexed by the seeded 64-bit hash of their key, evicted with the CLOCK
// algorithm. Indexing by hash keeps lookups to one integer map access;
// the entry's key is compared to rule out a collision, which the random
// seed makes unpredictable and rare (about n²/2⁶⁵ for n keys). A key that
// collides with a tracked one takes its entry over, as if it had been
// evicted.
type shard struct {
	mu      sync.Mutex
	index   map[uint64]int32
	entries []entry
	max     int
	hand    int
	_       [64]byte // keep shards on separate cache lines
}

// get returns the state of k. When k is not tracked it returns nil, or,
// if create is set, a fresh state that replaces a victim when the shard is
// full. The caller holds sh.mu.
func (sh *shard) get(k *tableKey, h uint64, now int64, create bool) *state {
	if i, ok := sh.index[h]; ok {
		e := &sh.entries[i]
		if e.k == *k {
			e.ref = true
			return &e.st
		}
		if !create {
			return nil
		}
		*e = entry{k: tableKey{k.scope, strings.Clone(k.key)}, h: h}
		return &e.st
	}
	if !create {
		return nil
	}
	if sh.index == nil {
		sh.index = make(map[uint64]int32)
	}
	var i int
	if len(sh.entries) < sh.max {
		sh.entries = append(sh.entries, entry{})
		i = len(sh.entries) - 1
	} else {
		i = sh.victim(now)
		delete(sh.index, sh.entries[i].h)
	}
	// The key is copied so that the table never pins a larger buffer the
	// caller's string may point into.
	sh.entries[i] = entry{k: tableKey{k.scope, strings.Clone(k.key)}, h: h}
	sh.index[h] = int32(i)
	return &sh.entries[i].st
}

// victim picks the entry to replace: the first one under the clock hand
// that is idle or was not used since the hand last passed. New entries
// start unreferenced, so a flood of one-off keys replaces itself rather
// than the keys in steady use.
func (sh *shard) victim(now int64) int {
	for {
		i := sh.hand
		sh.hand++
		if sh.hand == len(sh.entries) {
			sh.hand = 0
		}
		e := &sh.entries[i]
		if !e.ref || e.st.idle(now) {
			return i
		}
		e.ref = false
	}
}
