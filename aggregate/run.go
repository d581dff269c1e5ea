package aggregate

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// maxKeptBuffer bounds the buffers kept for reuse between requests, so one
// large response does not pin its memory.
const maxKeptBuffer = 256 << 10

// run is the state of one request. Runs are pooled per aggregate.
type run struct {
	res  []result
	out  []byte
	body []byte // the client's body, for legs that forward it
	wg   sync.WaitGroup
	done []sync.WaitGroup // per leg, released when the leg has finished

	mu       sync.Mutex
	panicked bool
	panicVal any // the first panic of a leg, raised again once all legs stopped
}

// result is the outcome of one leg.
type result struct {
	body     []byte // the response body as read
	fixed    []byte // the body with invalid UTF-8 replaced, when needed
	filtered []byte // the filtered value, when the leg filters
	scratch  []byte // the upstream path and query being built
	doc      []byte // the whole response document (body or fixed), trimmed
	val      []byte // the leg's value: doc after Target and filters
	header   http.Header
	status   int
	fail     failure
	latency  time.Duration
	conflict string // a member dropped because an earlier leg had it
}

func (rs *result) reset() {
	rs.body = keepBuf(rs.body)
	rs.fixed = keepBuf(rs.fixed)
	rs.filtered = keepBuf(rs.filtered)
	rs.scratch = keepBuf(rs.scratch)
	rs.doc, rs.val, rs.header = nil, nil, nil
	rs.status, rs.fail, rs.latency, rs.conflict = 0, failure{}, 0, ""
}

func keepBuf(b []byte) []byte {
	if cap(b) > maxKeptBuffer {
		return nil
	}
	return b[:0]
}

// ServeHTTP calls the legs and writes the merged result.
func (a *Aggregate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.err != nil {
		reqctx.From(r.Context()).SetError("INTERNAL_ERROR")
		a.onError(w, r, problem.Wrap(a.err, http.StatusInternalServerError, "The route is not configured correctly."))
		return
	}
	info := reqctx.From(r.Context())
	ru := a.runs.Get().(*run)
	defer a.release(ru)
	if a.body && !a.readClientBody(w, r, info, ru) {
		return
	}

	// Every leg starts at once, the first on this goroutine (it cannot
	// refer to another); a chained leg first waits for the legs it refers
	// to, and no others.
	ctx, cancel := context.WithCancel(r.Context())
	for i := range ru.done {
		ru.done[i].Add(1)
	}
	for i := 1; i < len(a.legs); i++ {
		ru.wg.Add(1)
		go func(l *leg) {
			defer ru.wg.Done()
			defer ru.done[l.idx].Done()
			for _, d := range l.deps {
				ru.done[d].Wait()
			}
			if len(l.deps) > 0 && ctx.Err() != nil {
				return // a required leg failed, or the request ended: skipped
			}
			a.safeCall(ctx, cancel, r, info, ru, l)
		}(&a.legs[i])
	}
	a.safeCall(ctx, cancel, r, info, ru, &a.legs[0])
	ru.done[0].Done()
	ru.wg.Wait()
	cancel()
	if ru.panicked {
		// Every leg has stopped: the panic can go on up the request's
		// goroutine, to the server's or the gateway's recovery.
		panic(ru.panicVal)
	}
	if r.Context().Err() == context.Canceled {
		return // the client went away: nobody is listening
	}
	a.respond(w, r, info, ru)
}

func (a *Aggregate) release(ru *run) {
	for i := range ru.res {
		ru.res[i].reset()
	}
	ru.out = keepBuf(ru.out)
	ru.body = keepBuf(ru.body)
	ru.panicked, ru.panicVal = false, nil
	a.runs.Put(ru)
}

// safeCall is call, recovering a panic of the leg: it is recorded for
// ServeHTTP to raise again once every leg has stopped, and the legs still
// running are canceled. A panic in a leg's own goroutine would otherwise
// end the process, and one on the request's goroutine would leave the
// other legs running after ServeHTTP returned.
func (a *Aggregate) safeCall(ctx context.Context, cancel context.CancelFunc, r *http.Request, info *reqctx.Info, ru *run, l *leg) {
	defer ru.recoverLeg(cancel, l.name)
	a.call(ctx, cancel, r, info, ru, l)
}

func (ru *run) recoverLeg(cancel context.CancelFunc, name string) {
	p := recover()
	if p == nil {
		return
	}
	if p != http.ErrAbortHandler {
		// Raised again elsewhere, the panic would lose where it happened.
		p = &legPanic{leg: name, value: p, stack: debug.Stack()}
	}
	ru.mu.Lock()
	if !ru.panicked {
		ru.panicked, ru.panicVal = true, p
	}
	ru.mu.Unlock()
	cancel()
}

// legPanic is the value a leg's panic is raised again with: the leg's
// name, the original value and the stack where it happened.
type legPanic struct {
	leg   string
	value any
	stack []byte
}

func (p *legPanic) Error() string {
	return "aggregate: leg " + strconv.Quote(p.leg) + " panicked: " + fmt.Sprint(p.value) + "\n\n" + string(p.stack)
}

// Unwrap returns the original panic value when it is an error.
func (p *legPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// call runs one leg and records its result. A failed required leg cancels
// the legs still running.
func (a *Aggregate) call(ctx context.Context, cancel context.CancelFunc, r *http.Request, info *reqctx.Info, ru *run, l *leg) {
	rs := &ru.res[l.idx]
	for _, d := range l.deps {
		if ru.res[d].fail.reason != "" {
			rs.fail = failure{reason: "dependency failed", status: http.StatusBadGateway}
			break
		}
	}
	if rs.fail.reason == "" {
		a.fetch(ctx, r, info, ru, l, rs)
	}
	if rs.fail.reason != "" && !l.optional {
		cancel()
	}
}
