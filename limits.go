package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// serve applies the route's body limit and timeout around its chain.
func (e *routeEntry) serve(w http.ResponseWriter, r *http.Request) {
	var body *limitedBody
	if e.maxBody >= 0 && r.Body != nil && r.Body != http.NoBody {
		if r.ContentLength > e.maxBody {
			problem.Error(w, r, tooLarge(e.maxBody))
			return
		}
		body = &limitedBody{rc: r.Body, left: e.maxBody, limit: e.maxBody}
		r.Body = body
	}
	if e.timeout <= 0 || isUpgrade(r) {
		e.next.ServeHTTP(w, r)
		if body != nil && body.exceeded {
			if started, known := responseStarted(w); known && !started {
				problem.Error(w, r, tooLarge(e.maxBody))
			}
		}
		return
	}
	ctx := newDeadlineCtx(r.Context(), e.timeout)
	defer ctx.release()
	rw := respwriter.Wrap(w)
	e.next.ServeHTTP(rw, r.WithContext(ctx))
	if rw.Started() {
		return
	}
	switch {
	case body != nil && body.exceeded:
		problem.Error(rw, r, tooLarge(e.maxBody))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		problem.Error(rw, r, problem.Wrap(context.DeadlineExceeded, http.StatusGatewayTimeout, "The request took longer than the route allows."))
	}
}

// responseStarted reports whether a response was begun on w, looking
// through writers that wrap the gateway's own (middleware installed with
// Gateway.Use may wrap it, exposing Unwrap like http.ResponseController
// expects). known is false when w does not lead to the gateway's writer.
func responseStarted(w http.ResponseWriter) (started, known bool) {
	for {
		if rw, ok := w.(*respwriter.Writer); ok {
			return rw.Started(), true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false, false
		}
		w = u.Unwrap()
	}
}

func tooLarge(limit int64) *problem.Problem {
	return problem.Wrap(&http.MaxBytesError{Limit: limit}, http.StatusRequestEntityTooLarge,
		"The request body is larger than the "+strconv.FormatInt(limit, 10)+" bytes this route accepts.")
}

// isUpgrade reports whether r asks to switch protocols (WebSocket): such
// connections outlive any request timeout and end when either side closes.
func isUpgrade(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" && headerHasToken(r.Header.Values("Connection"), "upgrade")
}

func headerHasToken(values []string, token string) bool {
	for _, v := range values {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.Trim(t, " \t"), token) {
				return true
			}
		}
	}
	return false
}

// limitedBody bounds a request body like http.MaxBytesReader and remembers
// that the limit was hit, so the gateway can answer 413 when the handler did
// not.
type limitedBody struct {
	rc       io.ReadCloser
	left     int64
	limit    int64
	exceeded bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.exceeded {
		return 0, &http.MaxBytesError{Limit: b.limit}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) <= b.left {
		b.left -= int64(n)
		return n, err
	}
	b.exceeded = true
	n = int(b.left)
	b.left = 0
	return n, &http.MaxBytesError{Limit: b.limit}
}

func (b *limitedBody) Close() error { return b.rc.Close() }
