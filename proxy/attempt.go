package proxy

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// timeoutError is the error of an attempt cut short by one of the
// upstream's own timers. It is a net.Error timeout and matches
// context.DeadlineExceeded, so it is answered 504 and counts as a failure.
type timeoutError string

func (e timeoutError) Error() string { return string(e) }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
func (timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded
}

var (
	// errTryTimeout ends an attempt that exceeded the per-try timeout.
	errTryTimeout error = timeoutError("proxy: upstream attempt timed out")
	// errSwitchTimeout ends a request asking to switch protocols that
	// exceeded the upstream's timeout before it switched.
	errSwitchTimeout error = timeoutError("proxy: upstream timed out")
)

// exchange sends out, whose URL already points at member first, through
// the upstream's breaker, retry policy and passive health, and returns the
// final response or error with the number of retries made. vars supplies
// the stage variables of templated targets; when ann is set, the time
// spent waiting for each attempt's response headers is added to it. When
// owned is true, out's header is the caller's private copy, so the first
// attempt may be sent as an owned request (see [OwnedRoundTripper]).
func (u *Upstream) exchange(out *http.Request, first int, rt http.RoundTripper, brk *breaker.Breaker, rp *retrier, vars, ann *reqctx.Info, owned bool) (*http.Response, int, error) {
	upgrade := out.Header.Get("Upgrade") != ""
	ctx := out.Context()
	var (
		cancelAll context.CancelFunc
		switchBy  *time.Timer // an upgrade's timeout, lifted when it switches
	)
	if u.timeout > 0 {
		if upgrade {
			ctx, cancelAll, switchBy = switchTimeout(ctx, u.timeout)
		} else {
			ctx, cancelAll = context.WithTimeout(ctx, u.timeout)
		}
	}
	retry := rp.eligible(out)
	if rp != nil {
		rp.deposit()
	}
	var cur *dest          // the destination out points at, known once a retry needs it
	var body io.ReadCloser // the next retry's request body, from GetBody
	idx, retries := first, 0
	for attempt := 0; ; attempt++ {
		m := u.members[idx]
		var tk breaker.Ticket
		if brk != nil {
			var err error
			if tk, err = brk.Allow(); err != nil {
				if body != nil {
					_ = body.Close()
				}
				closeReqBody(out)
				return nil, retries, finish(nil, err, cancelAll, nil)
			}
		}
		var (
			tctx    = ctx
			tcancel context.CancelCauseFunc
			timer   *time.Timer
		)
		if rp != nil && (rp.PerTryTimeout > 0 || retry) {
			// An attempt that may be retried has its own context, so that
			// a discarded answer whose body stalls can be cut off.
			tctx, tcancel = context.WithCancelCause(ctx)
			if rp.PerTryTimeout > 0 {
				timer = time.AfterFunc(rp.PerTryTimeout, func() { tcancel(errTryTimeout) })
			}
		}
		req := out
		if attempt > 0 {
			req, body = retryRequest(out, tctx, body), nil
		} else if tctx != out.Context() {
			req = out.WithContext(tctx)
		}
		var start time.Time
		if ann != nil {
			start = time.Now()
		}
		m.inflight.Add(1)
		res, err := send(rt, req, owned && attempt == 0)
		m.inflight.Add(-1)
		if ann != nil {
			ann.UpstreamLatency += time.Since(start)
		}
		if timer != nil && !timer.Stop() {
			// The timer fired, though its cancel may not have run yet:
			// the first cancellation of tctx says why the attempt ended.
			tcancel(errTryTimeout)
		}
		switched := res != nil && res.StatusCode == http.StatusSwitchingProtocols
		if switchBy != nil && (!switched || !switchBy.Stop()) && context.Cause(ctx) == errSwitchTimeout {
			// The upstream's timeout passed before the protocol switched.
			if res != nil {
				_ = res.Body.Close()
				res = nil
			}
			err = errSwitchTimeout
		}
		if tcancel != nil && context.Cause(tctx) == errTryTimeout {
			// The per-try timeout ended the attempt: a response that came
			// back at that moment has a body cut off by the canceled
			// context, so it timed out whatever the transport returned.
			// A client that went away first is not a timeout.
			if res != nil {
				_ = res.Body.Close()
				res = nil
			}
			err = errTryTimeout
		}
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		var o breaker.Outcome
		if brk != nil {
			o = brk.Classify(status, err)
			brk.Record(tk, o)
		} else {
			o = breaker.DefaultClassify(status, err)
		}
		u.observe(m, o)

		again := retry && attempt+1 < rp.Attempts && ctx.Err() == nil &&
			(err != nil && o == breaker.Failure || err == nil && rp.RetryOn(status)) &&
			(brk == nil || brk.State() != breaker.StateOpen)
		if again {
			next := u.choose(idx)
			var to *dest
			if next < 0 {
				again = false
			} else if next != idx {
				if cur == nil {
					cur, _ = u.dest(idx, vars)
				}
				if d, derr := u.dest(next, vars); derr == nil && cur != nil && canRebase(out.URL, cur) {
					to = d
				} else {
					next = idx
				}
			}
			var pause time.Duration
			if again && res != nil && next == idx {
				// The target asked not to be asked again before a while:
				// it is waited for within MaxBackoff, else not retried.
				if ra, ok := retryAfter(res.Header, u.now()); ok {
					pause, again = ra, ra <= rp.MaxBackoff
				}
			}
			if again {
				// A retry is sent only with a fresh copy of the body.
				body, again = freshBody(out)
			}
			if again && rp.withdraw() && wait(ctx, max(rp.backoff(attempt+1), pause)) {
				if res != nil {
					drain(res.Body, tcancel)
				}
				tcancel(nil)
				if to != nil {
					rebase(out.URL, cur, to)
					cur = to
				}
				idx = next
				retries++
				continue
			}
			if body != nil {
				_ = body.Close()
			}
		}
		if err != nil {
			closeReqBody(out)
		}
		return res, retries, finish(res, err, cancelAll, tcancel)
	}
}

// switchTimeout returns a context for a request asking to switch protocols
// that ends with errSwitchTimeout after d unless the returned timer is
// stopped first, when the upstream switched: the switched connection is
// not bounded.
func switchTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc, *time.Timer) {
	ctx, cancel := context.WithCancelCause(parent)
	t := time.AfterFunc(d, func() { cancel(errSwitchTimeout) })
	return ctx, func() { t.Stop(); cancel(nil) }, t
}

// finish ties the contexts the exchange created to the response body, so
// they end when the body is closed, or ends them now when there is no
// response to read.
func finish(res *http.Response, err error, all context.CancelFunc, try context.CancelCauseFunc) error {
	if all == nil && try == nil {
		return err
	}
	if res == nil || res.StatusCode == http.StatusSwitchingProtocols {
		if try != nil {
			try(nil)
		}
		if all != nil {
			all()
		}
		return err
	}
	res.Body = &cancelBody{ReadCloser: res.Body, all: all, try: try}
	return err
}

// cancelBody ends an exchange's contexts when the response body is closed.
type cancelBody struct {
	io.ReadCloser
	all context.CancelFunc
	try context.CancelCauseFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	if b.try != nil {
		b.try(nil)
	}
	if b.all != nil {
		b.all()
	}
	return err
}

// drainTime bounds the reading of a discarded response body.
const drainTime = 100 * time.Millisecond

// drain reads a little of a discarded response body, so that its
// connection can be reused, and closes it. A body that does not arrive
// within drainTime is cut off by canceling its attempt's context.
func drain(body io.ReadCloser, cancel context.CancelCauseFunc) {
	t := time.AfterFunc(drainTime, func() { cancel(nil) })
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	t.Stop()
	_ = body.Close()
}

func closeReqBody(r *http.Request) {
	if r.Body != nil && r.Body != http.NoBody {
		_ = r.Body.Close()
	}
}
