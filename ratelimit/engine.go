package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Stats counts a limiter's refusals and store failures since it was
// created, for metrics.
type Stats struct {
	// Throttled counts requests refused by the throttle.
	Throttled uint64
	// QuotaExceeded counts requests refused because the quota was used up.
	QuotaExceeded uint64
	// StoreErrors counts decisions the store failed or did not make in
	// time.
	StoreErrors uint64
	// FailedOpen counts requests decided without the store and admitted,
	// or decided by the fallback store.
	FailedOpen uint64
	// FailedClosed counts requests refused because the store was
	// unavailable.
	FailedClosed uint64
}

// engine makes decisions through a store and applies the failure policy.
// Limiter and Plans share it.
type engine struct {
	store    Store
	local    bool // the store never fails: call it directly
	timeout  time.Duration
	backoff  time.Duration
	failOpen bool
	fallback Store
	now      func() time.Time
	name     string
	onError  func(limiter string, err error)
	headers  bool
	render   func(http.ResponseWriter, *http.Request, error)

	downUntil atomic.Int64 // Unix ns until which the store is not asked

	throttled, quotaExceeded, storeErrors, failedOpen, failedClosed atomic.Uint64
}

func newEngine(c *config) *engine {
	e := &engine{
		store: c.store, timeout: c.timeout, backoff: c.backoff,
		failOpen: c.failOpen, fallback: c.fallback, now: c.now,
		name: c.name, onError: c.onError, headers: c.headers, render: c.errorHandler,
	}
	// Only the MemoryStore itself is trusted never to fail or block; a
	// type that embeds one may do anything.
	_, e.local = c.store.(*MemoryStore)
	return e
}

// maxKeyLen is the longest key given to a store as is; longer keys are
// replaced by a digest so that a client cannot make the store hold large
// strings.
const maxKeyLen = 128

func shortKey(key string) string {
	if len(key) <= maxKeyLen {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// take decides req. When the store fails, it applies the failure policy
// and returns an error wrapping [ErrUnavailable] together with the
// policy's decision.
func (e *engine) take(ctx context.Context, req Request) (Result, error) {
	req.Key = shortKey(req.Key)
	if e.local {
		res, err := e.store.Take(ctx, req)
		e.count(&res)
		return res, err
	}
	now := e.now().UnixNano()
	if until := e.downUntil.Load(); until != 0 && now < until {
		return e.degraded(ctx, req, errBackingOff)
	}
	tctx, cancel := context.WithTimeout(ctx, e.timeout)
	res, err := e.store.Take(tctx, req)
	cancel()
	if err == nil {
		if e.downUntil.Load() != 0 {
			e.downUntil.Store(0)
		}
		e.count(&res)
		return res, nil
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		// The client went away; the store is not to blame. A deadline
		// of the request that passed first is the store's timeout
		// cut short: the store did not answer in the time there was.
		return Result{}, ctx.Err()
	}
	e.storeErrors.Add(1)
	if e.onError != nil {
		e.onError(e.name, err)
	}
	if e.backoff > 0 {
		e.downUntil.Store(now + int64(e.backoff))
	}
	return e.degraded(ctx, req, err)
}

var errBackingOff = errors.New("ratelimit: store failed recently; not asked")

func (e *engine) degraded(ctx context.Context, req Request, cause error) (Result, error) {
	err := errors.Join(ErrUnavailable, cause)
	if !e.failOpen {
		e.failedClosed.Add(1)
		return Result{}, err
	}
	e.failedOpen.Add(1)
	if e.fallback != nil {
		if res, ferr := e.fallback.Take(ctx, req); ferr == nil {
			e.count(&res)
			return res, err
		}
	}
	return Result{Allowed: true}, err
}

func (e *engine) count(res *Result) {
	switch res.Reason {
	case Throttled:
		e.throttled.Add(1)
	case QuotaExhausted:
		e.quotaExceeded.Add(1)
	}
}

func (e *engine) stats() Stats {
	return Stats{
		Throttled:     e.throttled.Load(),
		QuotaExceeded: e.quotaExceeded.Load(),
		StoreErrors:   e.storeErrors.Load(),
		FailedOpen:    e.failedOpen.Load(),
		FailedClosed:  e.failedClosed.Load(),
	}
}

// serve decides r under pol and either writes the refusal, returning
// false, or adds the success headers, returning true. It records the
// decision in the request's reqctx.Info.
func (e *engine) serve(w http.ResponseWriter, r *http.Request, pol *policy, req Request) bool {
	res, err := e.take(r.Context(), req)
	info := reqctx.From(r.Context())
	if res.Allowed {
		if err != nil {
			annotate(info, pol.name, decisionFailOpen)
			return true
		}
		annotate(info, pol.name, decisionAllowed)
		if e.headers {
			pol.setHeaders(w.Header(), &res)
		}
		return true
	}
	switch {
	case res.Reason == Throttled:
		annotate(info, pol.name, decisionThrottled)
	case res.Reason == QuotaExhausted:
		annotate(info, pol.name, decisionQuota)
	case errors.Is(err, ErrUnavailable):
		annotate(info, pol.name, decisionFailClosed)
	}
	e.render(w, r, refusal(pol, &res, err))
	return false
}
