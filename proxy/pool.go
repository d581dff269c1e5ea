package proxy

import (
	"errors"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// ErrNoHealthyTarget means every target of the upstream is ejected or
// failing its health checks, so the request was not sent. The default error
// handler answers 503 at once.
var ErrNoHealthyTarget = errors.New("proxy: no healthy target")

// member is one target of an upstream with its load and health.
type member struct {
	t        *target
	inflight atomic.Int64 // attempts awaiting response headers

	down       atomic.Bool  // failing its active health check
	ejectUntil atomic.Int64 // passive ejection end, Unix nanoseconds

	mu        sync.Mutex
	fails     int  // consecutive failed attempts
	ejections int  // consecutive ejections, for the backoff
	ejected   bool // ejected and not yet seen to succeed
	probeOK   int  // consecutive successful probes
	probeBad  int  // consecutive failed probes
}

// usable reports whether m may receive requests at now (Unix nanoseconds).
func (m *member) usable(now int64) bool {
	return !m.down.Load() && now >= m.ejectUntil.Load()
}

// choose picks the member for an attempt, skipping unhealthy members and,
// when another is usable, avoid (the member of the failed attempt before).
// It returns -1 when no member is usable.
func (u *Upstream) choose(avoid int) int {
	ms := u.members
	var now int64
	if u.checked {
		now = u.now().UnixNano()
	}
	if avoid >= 0 {
		// A retry goes to the next usable target in order, leaving the
		// balancer's rotation alone.
		for k := 1; k < len(ms); k++ {
			if i := (avoid + k) % len(ms); !u.checked || ms[i].usable(now) {
				return i
			}
		}
		if !u.checked || ms[avoid].usable(now) {
			return avoid
		}
		return -1
	}
	if !u.checked {
		return u.bal.pick(ms)
	}
	for range len(ms) {
		if i := u.bal.pick(ms); ms[i].usable(now) {
			return i
		}
	}
	for i := range ms {
		if ms[i].usable(now) {
			return i
		}
	}
	return -1
}

// dest resolves member i's URL for the request's stage.
func (u *Upstream) dest(i int, info *reqctx.Info) (*dest, error) {
	t := u.members[i].t
	if t.static != nil {
		return t.static, nil
	}
	var vars map[string]string
	if info != nil {
		vars = info.StageVars
	}
	d, err := t.resolve(vars)
	if err != nil {
		return nil, &stageVarError{upstream: u.name, target: t.raw, err: err}
	}
	return d, nil
}

// memberOf finds the member whose resolved URL has the scheme and host of
// the outbound URL and whose base path starts its path; -1 when none has.
func (u *Upstream) memberOf(out *url.URL, info *reqctx.Info) int {
	for i := range u.members {
		d, err := u.dest(i, info)
		if err == nil && d.host == out.Host && d.scheme == out.Scheme && canRebase(out, d) {
			return i
		}
	}
	return -1
}

// now returns the upstream clock's time.
func (u *Upstream) now() time.Time {
	if u.clock != nil {
		return u.clock()
	}
	return time.Now()
}
