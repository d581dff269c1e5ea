package aggregate

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// readClientBody reads the client's body for the legs that forward it. It
// answers the client itself and returns false when the body cannot be read.
func (a *Aggregate) readClientBody(w http.ResponseWriter, r *http.Request, info *reqctx.Info, ru *run) bool {
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	var err error
	ru.body, err = readBody(ru.body[:0], r.Body, r.ContentLength, a.maxBody)
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return true
	case err == errTooLarge || errors.As(err, &mbe):
		limit := a.maxBody
		if mbe != nil {
			limit = mbe.Limit
		}
		info.SetError("REQUEST_TOO_LARGE")
		a.onError(w, r, problem.Wrap(&http.MaxBytesError{Limit: limit}, http.StatusRequestEntityTooLarge,
			"The request body is larger than the "+strconv.FormatInt(limit, 10)+" bytes this route accepts."))
	case r.Context().Err() != nil:
		// The client went away.
	default:
		info.SetError("BAD_REQUEST")
		a.onError(w, r, problem.Wrap(err, http.StatusBadRequest, "The request body could not be read."))
	}
	return false
}
