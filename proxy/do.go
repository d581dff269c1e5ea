package proxy

import (
	"net/http"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// Do sends req to the upstream and returns its response, for blocks that
// call upstreams themselves (fan-out, aggregation). req's URL carries only
// the path and query (its scheme and host are ignored); the path is joined
// to the chosen target's base path. Its context bounds the call and supplies
// the stage variables of templated targets. The request goes through the
// same machinery as a [Proxy]'s: a healthy target chosen by the balancer,
// the upstream's circuit breaker, retry policy, timeout and passive health.
// req is not modified; its headers are sent as they are (Host is set as for
// a Proxy).
//
// The error, when there is one, is a [*problem.Problem] ready for
// problem.Error, wrapping the cause so errors.Is still finds it:
// breaker.ErrOpen is 503 with Retry-After, [ErrNoHealthyTarget] 503, a
// timeout 504, [ErrStageVariable] 500 and any other failure 502. When the
// request's context was canceled, the context's error is returned as it
// is. On success the caller must close the response body.
//
// Do does not write the request's reqctx.Info (legs of one request may run
// concurrently); callers annotate it themselves.
func (u *Upstream) Do(req *http.Request) (*http.Response, error) {
	info := reqctx.From(req.Context())
	i := u.choose(-1)
	if i < 0 {
		return nil, u.doError(req, ErrNoHealthyTarget)
	}
	d, err := u.dest(i, info)
	if err != nil {
		return nil, u.doError(req, err)
	}
	out := new(http.Request)
	*out = *req
	url := *req.URL
	url.Scheme, url.Host, url.Opaque, url.User = d.scheme, d.host, "", nil
	joinBase(&url, d)
	out.URL = &url
	out.Host = u.hostFor(req)
	out.RequestURI = ""
	res, _, err := u.exchange(out, i, u.Transport(), u.brk, u.retry, info, nil, false)
	if err != nil {
		return nil, u.doError(req, err)
	}
	return res, nil
}

func (u *Upstream) doError(req *http.Request, err error) error {
	if p := classify(req, err); p != nil {
		return p
	}
	return err
}
