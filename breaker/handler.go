package breaker

import (
	"context"
	"errors"
	"net/http"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// Handler returns middleware that guards next with the breaker: when the
// breaker is open, it answers 503 problem+json with Retry-After without
// calling next, and records the error type "CIRCUIT_OPEN"; otherwise it
// calls next and counts the status next wrote. A panic in next counts as a
// failure, unless the client went away (a reverse proxy aborts so when the
// client leaves mid-response), and is passed on.
func (b *Breaker) Handler(next http.Handler) http.Handler {
	eh := b.s.ErrorHandler
	if eh == nil {
		eh = problem.Error
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := b.Allow()
		if err != nil {
			reqctx.From(r.Context()).SetError("CIRCUIT_OPEN")
			eh(w, r, Problem(err))
			return
		}
		rw := respwriter.Wrap(w)
		ok := false
		defer func() {
			if ok {
				return
			}
			// A client that went away makes a streaming handler abort
			// (http.ErrAbortHandler): that is classified as the
			// cancellation it is. Any other panic is a failure.
			if errors.Is(r.Context().Err(), context.Canceled) {
				b.Done(t, rw.Status(), context.Canceled)
				return
			}
			b.Record(t, Failure)
		}()
		next.ServeHTTP(rw, r)
		ok = true
		var cause error
		if errors.Is(r.Context().Err(), context.Canceled) {
			cause = context.Canceled
		}
		status := rw.Status()
		if status == 0 {
			status = http.StatusOK
		}
		b.Done(t, status, cause)
	})
}
