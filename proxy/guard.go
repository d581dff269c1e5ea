package proxy

import (
	"context"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
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
// error handler and passes every other request on.
type guard struct{ rt http.RoundTripper }

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
	return g.rt.RoundTrip(r)
}
