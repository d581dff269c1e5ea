package proxy

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// RetryPolicy configures the retries of failed attempts. A request is
// retried only when its method is idempotent (GET, HEAD, OPTIONS, TRACE,
// PUT, DELETE) or AllMethods is set, only when its body can be sent again
// (it has none, or http.Request.GetBody is set), never once the response
// has been handed on (retries happen before the proxy writes anything to
// the client), and never when the client went away or the overall deadline
// passed. A retry goes to another healthy target when there is one. When it
// goes to the same target, a Retry-After in the answer is honoured: the
// retry waits at least that long, and is not made when that is longer than
// MaxBackoff (the answer, Retry-After included, is passed on).
type RetryPolicy struct {
	// Attempts is the maximum number of attempts, the first included. If 0,
	// 3.
	Attempts int
	// Backoff is the wait before the first retry; it doubles for each
	// further retry, up to MaxBackoff, and is jittered to between half and
	// all of it. If 0, 25 milliseconds.
	Backoff time.Duration
	// MaxBackoff bounds the wait. If 0, one second.
	MaxBackoff time.Duration
	// PerTryTimeout bounds the time each attempt may wait for response
	// headers; a try that times out may be retried. If 0, attempts are
	// bounded only by the overall deadline.
	PerTryTimeout time.Duration
	// Budget is the fraction of requests that may be retried, so that
	// retries cannot multiply the load on a failing upstream: each request
	// adds Budget to a pool that each retry takes one from. If 0, 0.2.
	Budget float64
	// MinRetries is the pool's size and initial content, the retries
	// allowed regardless of traffic. If 0, 10.
	MinRetries int
	// AllMethods retries non-idempotent methods too (still only with a
	// replayable body), for routes whose upstream deduplicates.
	AllMethods bool
	// RetryOn reports whether a response status is retried. If nil, 502,
	// 503 and 504 are. Connection errors and per-try timeouts are always
	// retried.
	RetryOn func(status int) bool
}

// retrier is a normalized policy with its budget.
type retrier struct {
	RetryPolicy
	tokens atomic.Int64 // budget in thousandths of a retry
	cap    int64
	dep    int64
}

func newRetrier(p RetryPolicy) (*retrier, error) {
	switch {
	case p.Attempts < 0 || p.Backoff < 0 || p.MaxBackoff < 0 || p.PerTryTimeout < 0 || p.MinRetries < 0:
		return nil, errors.New("retry policy has a negative value")
	case p.Budget < 0 || p.Budget > 1 || p.Budget != p.Budget:
		return nil, errors.New("retry budget must be between 0 and 1")
	}
	if p.Attempts == 0 {
		p.Attempts = 3
	}
	if p.Backoff == 0 {
		p.Backoff = 25 * time.Millisecond
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = time.Second
	}
	p.MaxBackoff = max(p.MaxBackoff, p.Backoff)
	if p.Budget == 0 {
		p.Budget = 0.2
	}
	if p.MinRetries == 0 {
		p.MinRetries = 10
	}
	if p.RetryOn == nil {
		p.RetryOn = defaultRetryOn
	}
	r := &retrier{RetryPolicy: p, cap: int64(p.MinRetries) * 1000, dep: int64(p.Budget * 1000)}
	r.tokens.Store(r.cap)
	return r, nil
}

func defaultRetryOn(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// deposit credits the budget for one request.
func (r *retrier) deposit() {
	for {
		t := r.tokens.Load()
		if t >= r.cap {
			return
		}
		if r.tokens.CompareAndSwap(t, min(t+r.dep, r.cap)) {
			return
		}
	}
}

// withdraw takes one retry from the budget, or reports that it is spent.
func (r *retrier) withdraw() bool {
	for {
		t := r.tokens.Load()
		if t < 1000 {
			return false
		}
		if r.tokens.CompareAndSwap(t, t-1000) {
			return true
		}
	}
}

// eligible reports whether req may be retried at all.
func (r *retrier) eligible(req *http.Request) bool {
	if r == nil || r.Attempts < 2 || req.Header.Get("Upgrade") != "" {
		return false
	}
	if !r.AllMethods {
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		default:
			return false
		}
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// retryAfter returns the wait a response's Retry-After field asks for, in
// delay-seconds or as an HTTP-date, and false when it has none or it is
// malformed.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, int64(math.MaxInt64/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// backoff returns the jittered wait before retry number n (1-based).
func (r *retrier) backoff(n int) time.Duration {
	d := r.Backoff
	for i := 1; i < n && d < r.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.MaxBackoff)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// wait sleeps for d unless ctx ends first, or would end before d is over.
func wait(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// retryRequest returns a copy of out for a retry: its own URL, the context
// ctx and body, the fresh body from freshBody.
func retryRequest(out *http.Request, ctx context.Context, body io.ReadCloser) *http.Request {
	r := out.WithContext(ctx)
	u := *out.URL
	r.URL = &u
	if body != nil {
		r.Body = body
	}
	return r
}

// freshBody returns a new copy of out's body for a retry (nil when out has
// no body), and false when it cannot be had.
func freshBody(out *http.Request) (io.ReadCloser, bool) {
	if out.Body == nil || out.Body == http.NoBody {
		return nil, true
	}
	if out.GetBody == nil {
		return nil, false
	}
	b, err := out.GetBody()
	if err != nil || b == nil {
		return nil, false
	}
	return b, true
}
