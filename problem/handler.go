package problem

import (
	"net/http"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// ErrorHandler renders an error to the client. Gateways and blocks accept one
// so users can render errors their own way.
type ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error)

// DefaultErrorHandler renders err with [Render] after converting it with
// [From]: a [*Problem] keeps its status, headers and detail; anything else
// becomes a 500 that does not reveal the error.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	Render(w, r, From(err))
}

// Error renders err for r. It uses the error handler the gateway put in the
// request context when there is one, and [DefaultErrorHandler] otherwise.
// Blocks call Error so every error honours the user's gateway-wide choice.
//
// When the request went through a gateway and no block has classified the
// error yet, Error records the type [ErrorType] gives for the error's
// status, for access logs and metrics. A block that knows better (an
// expired token, a quota rather than a throttle) records its own type
// before calling Error.
func Error(w http.ResponseWriter, r *http.Request, err error) {
	if r != nil {
		if info := reqctx.From(r.Context()); info != nil {
			if info.ErrorType == "" {
				info.ErrorType = ErrorType(statusOf(err))
			}
			if info.ErrorHandler != nil {
				info.ErrorHandler(w, r, err)
				return
			}
		}
	}
	DefaultErrorHandler(w, r, err)
}

// Status renders a problem with the given status and detail for r, through
// the same handler as [Error].
func Status(w http.ResponseWriter, r *http.Request, status int, detail string) {
	Error(w, r, New(status, detail))
}
