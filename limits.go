package gateway

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewaykit/gateway/internal/hdrname"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/respwriter"
	"github.com/gatewaykit/gateway/problem"
)

// serve applies the route's body limit and timeout around its chain.
func (e *routeEntry) serve(w http.ResponseWriter, r *http.Request) {
	var body *limitedBody
	if r.Body != nil && r.Body != http.NoBody && (e.maxBody >= 0 || e.timeout > 0) {
		if e.maxBody >= 0 && r.ContentLength > e.maxBody {
			problem.Error(w, r, tooLarge(e.maxBody))
			return
		}
		body = &limitedBody{rc: r.Body, left: e.maxBody, limit: e.maxBody}
		r.Body = body
	}
	if e.timeout <= 0 {
		e.next.ServeHTTP(w, r)
		if body != nil && body.exceeded {
			if started, known := responseStarted(w); known && !started {
				problem.Error(w, r, tooLarge(e.maxBody))
			}
		}
		return
	}
	if hdrname.IsUpgrade(r.Header) {
		// Once switched, the connection outlives any request timeout and
		// ends when either side closes it.
		e.serveUpgrade(w, r, body)
		return
	}
	ctx := newDeadlineCtx(r.Context(), e.timeout)
	defer ctx.release()
	if body != nil {
		// The request's context does not interrupt a read of the body
		// that is waiting for a slow client: the deadline does.
		defer body.release()
		defer context.AfterFunc(ctx, func() {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				body.expire(w)
			}
		})()
	}
	rw := respwriter.Wrap(w)
	rc := r.WithContext(ctx)
	if info := reqctx.From(ctx); info != nil {
		info.AddCopy(rc)
	}
	e.next.ServeHTTP(rw, rc)
	if body != nil {
		body.closeIfTouched(rw)
	}
	if rw.Started() {
		return
	}
	switch {
	case body != nil && body.exceeded:
		problem.Error(rw, r, tooLarge(e.maxBody))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		problem.Error(rw, r, timedOut())
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

func timedOut() *problem.Problem {
	return problem.Wrap(context.DeadlineExceeded, http.StatusGatewayTimeout, "The request took longer than the route allows.")
}

// errBodyDeadline is the error of a request body read after the route's
// deadline.
var errBodyDeadline = errors.New("gateway: the request body was not received before the route's deadline")

// limitedBody bounds a request body like http.MaxBytesReader (unless limit
// is negative) and remembers that the limit was hit, so the gateway can
// answer 413 when the handler did not. Once the route's deadline has passed
// ([limitedBody.expire]) reads fail instead of waiting for the client.
type limitedBody struct {
	rc       io.ReadCloser
	left     int64
	limit    int64
	exceeded bool

	reading atomic.Bool // a Read is in progress
	eof     atomic.Bool // the whole body has been received
	expired atomic.Bool // the route's deadline has passed
	mu      sync.Mutex  // serialises expire and release
	done    bool        // the route has returned
	touched bool        // expire set the connection's read deadline
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.exceeded {
		return 0, &http.MaxBytesError{Limit: b.limit}
	}
	if len(p) == 0 {
		return 0, nil
	}
	b.reading.Store(true)
	defer b.reading.Store(false)
	if b.expired.Load() {
		return 0, errBodyDeadline
	}
	if b.limit < 0 {
		n, err := b.rc.Read(p)
		b.sawEOF(err)
		return n, err
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.sawEOF(err)
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

// sawEOF records that the server has received the whole body: from then
// on it watches the connection for the next request, which a read
// deadline must not disturb.
func (b *limitedBody) sawEOF(err error) {
	if err == io.EOF {
		b.eof.Store(true)
	}
}

// expire makes later reads fail and ends a read waiting for the client, by
// setting the connection's read deadline through w. It may run
// concurrently with Read.
func (b *limitedBody) expire(w http.ResponseWriter) {
	b.expired.Store(true)
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done && b.reading.Load() && !b.eof.Load() {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now())
		b.touched = true
	}
}

// closeIfTouched releases b once the route's handler has returned and, when
// expire moved the connection's read deadline, asks the server to close
// the connection after the response: a read that received the end of the
// body just as the deadline was set leaves the server's watch for the next
// request failed, and with it the context of every later request on the
// connection.
func (b *limitedBody) closeIfTouched(w *respwriter.Writer) {
	b.release()
	if b.touched && !w.Started() {
		w.Header().Set("Connection", "close")
	}
}

// release waits for an expire in progress and keeps later ones from
// touching the connection, which may serve the next request once the
// route has returned.
func (b *limitedBody) release() {
	b.mu.Lock()
	b.done = true
	b.mu.Unlock()
}
