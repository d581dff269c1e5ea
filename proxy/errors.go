package proxy

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/problem"
)

// Errors a [Proxy] passes to its error handler besides the transport's own.
var (
	// ErrStageVariable means a target's stage variable placeholder could not
	// be resolved for the request's stage, or resolved to an invalid URL.
	// The default error handler answers 500: it is a deployment mistake
	// that [Upstream.Validate] reports ahead of time.
	ErrStageVariable = errors.New("proxy: stage variable cannot be resolved")
	// ErrBadParam means a path parameter's value cannot be placed in the
	// upstream path without changing its structure: it is empty, "." or
	// "..". The default error handler answers 400.
	ErrBadParam = errors.New("proxy: path parameter value cannot be forwarded")
)

// stageVarError carries the details of an unresolved target for logs while
// matching [ErrStageVariable].
type stageVarError struct {
	upstream, target string
	err              error
}

func (e *stageVarError) Error() string {
	return ErrStageVariable.Error() + ": upstream " + strconv.Quote(e.upstream) +
		": target " + strconv.Quote(e.target) + ": " + e.err.Error()
}

func (e *stageVarError) Is(target error) bool { return target == ErrStageVariable }

func (e *stageVarError) Unwrap() error { return e.err }

// DefaultErrorHandler is the error handler of a [Proxy] configured without
// one. It renders a problem through [problem.Error], so a gateway's own error
// handler applies, and never shows the cause to the client:
//
//   - a [*problem.Problem] (for example returned by a ModifyResponse hook)
//     is rendered as it is;
//   - a request body over its limit ([*http.MaxBytesError]) is 413;
//   - a request whose context was canceled (the client went away) gets no
//     response at all, since nobody is listening;
//   - breaker.ErrOpen (the upstream's circuit breaker is open) is 503 with
//     Retry-After, and [ErrNoHealthyTarget] is 503;
//   - a deadline (context.DeadlineExceeded or a [net.Error] timeout) is 504;
//   - [ErrBadParam] is 400 and [ErrStageVariable] is 500;
//   - any other failure to reach the upstream or read its answer is 502.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	if p := classify(r, err); p != nil {
		problem.Error(w, r, p)
	}
}

// classify maps a proxy error to the problem to render, or nil when nothing
// should be written.
func classify(r *http.Request, err error) *problem.Problem {
	var (
		p   *problem.Problem
		mbe *http.MaxBytesError
		ne  net.Error
	)
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &mbe):
		return problem.Wrap(err, http.StatusRequestEntityTooLarge,
			"The request body is larger than the "+strconv.FormatInt(mbe.Limit, 10)+" bytes this route accepts.")
	case r != nil && errors.Is(r.Context().Err(), context.Canceled):
		return nil
	case errors.Is(err, breaker.ErrOpen):
		return breaker.Problem(err)
	case errors.Is(err, ErrNoHealthyTarget):
		return problem.Wrap(err, http.StatusServiceUnavailable, "No healthy upstream target is available.").
			WithHeader("Retry-After", "1")
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return problem.Wrap(err, http.StatusGatewayTimeout, "The upstream did not answer in time.")
	case errors.Is(err, ErrBadParam):
		return problem.Wrap(err, http.StatusBadRequest, "The request path cannot be forwarded to the upstream.")
	case errors.Is(err, ErrStageVariable):
		return problem.Wrap(err, http.StatusInternalServerError, "The upstream is not configured correctly for this stage.")
	case errors.Is(err, errMissingParam):
		return problem.Wrap(err, http.StatusInternalServerError, "The route is not configured correctly.")
	default:
		return problem.Wrap(err, http.StatusBadGateway, "The upstream could not be reached.")
	}
}
