package proxy

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// failedURL marks an outbound request that Rewrite could not build; guard
// answers it with the error stored in its context, so the error handler
// sees the real cause.
var failedURL = &url.URL{Scheme: "http", Host: "rewrite.invalid"}

type failKey struct{}

func fail(pr *httputil.ProxyRequest, err error) {
	pr.Out = pr.Out.WithContext(context.WithValue(pr.Out.Context(), failKey{}, err))
	pr.Out.URL = failedURL
}

// guard is the transport of every Proxy: it delivers Rewrite failures to the
// error handler, sends every other request through the upstream's
// resilience machinery (breaker, retries, timeout, health), and records how
// long the upstream took to answer and how often it was retried in the
// request's Info.
type guard struct {
	rt    http.RoundTripper
	up    *Upstream
	brk   *breaker.Breaker
	retry *retrier
	plain bool // nothing but the round trip: the fast path
}

func (g guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL == failedURL {
		err, _ := r.Context().Value(failKey{}).(error)
		if err == nil {
			err = errors.New("proxy: the upstream request could not be built")
		}
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, err
	}
	info := reqctx.From(r.Context())
	if !g.plain {
		if i := g.up.memberOf(r.URL, info); i >= 0 {
			res, retries, err := g.up.exchange(r, i, g.rt, g.brk, g.retry, info, info, true)
			dropUpstreamRequestID(res, info)
			if info != nil {
				info.Retries += retries
				if err != nil && errors.Is(err, breaker.ErrOpen) {
					info.SetError("CIRCUIT_OPEN")
				}
			}
			return res, err
		}
	}
	// r is ReverseProxy's copy of the inbound request, header included.
	if info == nil {
		return send(g.rt, r, true)
	}
	start := time.Now()
	res, err := send(g.rt, r, true)
	info.UpstreamLatency += time.Since(start)
	dropUpstreamRequestID(res, info)
	return res, err
}
