package breaker

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gatewaykit/gateway/problem"
)

// ErrOpen is matched by the error [Breaker.Allow] returns when the breaker
// rejects an attempt: it is open, or half-open with every probe in flight.
var ErrOpen = errors.New("breaker: circuit open")

// OpenError is the rejection of an open breaker.
type OpenError struct {
	// Name is the breaker's name.
	Name string
	// RetryAfter is how long the breaker stays open.
	RetryAfter time.Duration
}

// Error names the breaker that rejected the attempt.
func (e *OpenError) Error() string {
	return ErrOpen.Error() + ": " + strconv.Quote(e.Name)
}

// Is makes an OpenError match [ErrOpen].
func (e *OpenError) Is(target error) bool { return target == ErrOpen }

// RetryAfterSeconds returns the Retry-After value for d: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}

// Problem returns the response for a rejection: 503 Service Unavailable
// with Retry-After, wrapping err so that errors.Is(p, ErrOpen) holds.
func Problem(err error) *problem.Problem {
	ra := time.Second
	var oe *OpenError
	if errors.As(err, &oe) {
		ra = oe.RetryAfter
	}
	return problem.Wrap(err, http.StatusServiceUnavailable,
		"The upstream is failing; requests to it are paused.").
		WithHeader("Retry-After", RetryAfterSeconds(ra))
}
