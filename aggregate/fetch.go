package aggregate

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
	"github.com/gatewaykit/gateway/proxy"
)

// failure describes why a leg failed. reason is the short text shown in the
// error map; status is the status the aggregate answers with when this
// failure decides the response.
type failure struct {
	reason     string
	status     int
	retryAfter string // the upstream's Retry-After advice, for 503
}

var (
	acceptJSON  = []string{"application/json"}
	errTooLarge = errors.New("response too large")
)

// fetch calls the leg's backend and processes its answer into rs.
func (a *Aggregate) fetch(ctx context.Context, r *http.Request, info *reqctx.Info, ru *run, l *leg, rs *result) {
	if l.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.timeout)
		defer cancel()
	}
	req, f := a.request(ctx, r, info, ru, l, rs)
	if f.reason != "" {
		rs.fail = f
		return
	}
	start := a.now()
	resp, err := send(l, req)
	rs.latency = a.now().Sub(start)
	if err != nil {
		rs.fail = transportFailure(ctx, err)
		return
	}
	defer resp.Body.Close()
	rs.status = resp.StatusCode
	rs.body, err = readBody(rs.body[:0], resp.Body, resp.ContentLength, l.maxBytes)
	if err != nil {
		if err == errTooLarge {
			rs.fail = failure{reason: "response too large", status: http.StatusBadGateway}
		} else {
			rs.fail = transportFailure(ctx, err)
		}
		return
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		rs.fail = failure{reason: "status " + strconv.Itoa(resp.StatusCode), status: http.StatusBadGateway}
		if resp.StatusCode == http.StatusServiceUnavailable {
			// The backend is down for a while: the aggregate is too, and
			// passes the backend's advice on when to come back.
			rs.fail.status = http.StatusServiceUnavailable
			rs.fail.retryAfter = validRetryAfter(resp.Header.Get("Retry-After"))
		}
		rs.header = resp.Header // for PassFailure
		return
	}
	if resp.Header.Get("Content-Encoding") != "" {
		rs.fail = failure{reason: "encoded response", status: http.StatusBadGateway}
		return
	}
	if len(l.respHeaders) > 0 {
		for _, k := range l.respHeaders {
			if vs := resp.Header[k]; len(vs) > 0 {
				if rs.header == nil {
					rs.header = make(http.Header, len(l.respHeaders))
				}
				rs.header[k] = vs
			}
		}
	}
	a.process(l, rs, len(a.legs))
}

// send performs the call through the leg's upstream, which picks a healthy
// target and applies its breaker, retries and timeout.
func send(l *leg, req *http.Request) (*http.Response, error) {
	return l.up.Do(req)
}

// transportFailure classifies an error from the transport or while reading
// the body.
func transportFailure(ctx context.Context, err error) failure {
	var (
		ne net.Error
		p  *problem.Problem
	)
	hasProblem := errors.As(err, &p)
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded),
		errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(),
		hasProblem && p.Status == http.StatusGatewayTimeout:
		return failure{reason: "timeout", status: http.StatusGatewayTimeout}
	case ctx.Err() != nil:
		return failure{reason: "canceled", status: http.StatusBadGateway}
	case errors.Is(err, breaker.ErrOpen):
		return failure{reason: "circuit open", status: http.StatusServiceUnavailable, retryAfter: retryAfter(p)}
	case errors.Is(err, proxy.ErrNoHealthyTarget):
		return failure{reason: "no healthy target", status: http.StatusServiceUnavailable, retryAfter: retryAfter(p)}
	case errors.Is(err, proxy.ErrStageVariable):
		return failure{reason: "unresolved target", status: http.StatusInternalServerError}
	default:
		return failure{reason: "unreachable", status: http.StatusBadGateway}
	}
}

func retryAfter(p *problem.Problem) string {
	if p == nil {
		return ""
	}
	return p.Header.Get("Retry-After")
}

// validRetryAfter returns v when it is a Retry-After value (seconds or an
// HTTP date), else "".
func validRetryAfter(v string) string {
	if v == "" {
		return ""
	}
	if _, err := strconv.ParseUint(v, 10, 32); err == nil {
		return v
	}
	if _, err := http.ParseTime(v); err == nil {
		return v
	}
	return ""
}

// maxPrealloc bounds the buffer readBody allocates before any byte has
// arrived.
const maxPrealloc = 4 << 20

// readBody reads body into dst, failing with errTooLarge past limit bytes.
func readBody(dst []byte, body io.Reader, length, limit int64) ([]byte, error) {
	if length > limit {
		return dst, errTooLarge
	}
	limit = min(limit, math.MaxInt-1) // limit+1 must not overflow
	want := 4 << 10
	if length >= 0 {
		// Room to see EOF without growing, but no more than a bounded
		// amount up front: the announced length may be a lie.
		want = int(min(length, maxPrealloc)) + 1
	}
	if cap(dst) < want {
		dst = make([]byte, 0, want)
	}
	for {
		if len(dst) == cap(dst) {
			if int64(len(dst)) > limit {
				return dst, errTooLarge
			}
			grow := cap(dst)
			if int64(cap(dst)+grow) > limit+1 {
				grow = int(limit+1) - cap(dst)
			}
			dst = append(dst, make([]byte, grow)...)[:len(dst)]
		}
		n, err := body.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if int64(len(dst)) > limit {
			return dst, errTooLarge
		}
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// process validates the body and derives the leg's value.
func (a *Aggregate) process(l *leg, rs *result, legs int) {
	doc := trimValue(rs.body)
	if len(doc) == 0 {
		doc = nullValue
	} else {
		bad, err := check(doc, l.maxDepth)
		if err != nil {
			rs.fail = failure{reason: err.Error(), status: http.StatusBadGateway}
			return
		}
		if bad {
			var ok bool
			if rs.fixed, ok = repairUTF8(rs.fixed[:0], doc, l.maxBytes); !ok {
				rs.fail = failure{reason: errTooLarge.Error(), status: http.StatusBadGateway}
				return
			}
			doc = rs.fixed
		}
	}
	rs.doc = doc
	v := doc
	if l.target != nil {
		var ok bool
		if v, ok = find(doc, l.target); !ok {
			rs.fail = failure{reason: "missing target", status: http.StatusBadGateway}
			return
		}
	}
	if l.filter.active() {
		rs.filtered = l.filter.apply(rs.filtered[:0], v)
		v = rs.filtered
	}
	if a.strategy != Concat && legs > 1 && l.group == "" && v[0] != '{' {
		rs.fail = failure{reason: "not an object", status: http.StatusBadGateway}
		return
	}
	rs.val = v
}

var nullValue = []byte("null")
