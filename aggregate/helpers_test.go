package aggregate_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/proxy"
)

// backend starts a test server and returns an upstream for it whose own
// transport is closed when the test ends.
func backend(t testing.TB, h http.HandlerFunc) *proxy.Upstream {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	tr := proxy.NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	up, err := proxy.NewUpstream("test", []string{srv.URL}, proxy.WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	return up
}

// fixed answers every request with status and body as JSON.
func fixed(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// serve calls h like a gateway route with the given path parameters.
func serve(h http.Handler, target string, params ...string) (*httptest.ResponseRecorder, *reqctx.Info) {
	return serveReq(h, httptest.NewRequest(http.MethodGet, target, nil), params...)
}

// serveReq serves req like a gateway route with the given path parameters.
func serveReq(h http.Handler, req *http.Request, params ...string) (*httptest.ResponseRecorder, *reqctx.Info) {
	info := &reqctx.Info{RequestID: "req-1"}
	for i := 0; i+1 < len(params); i += 2 {
		info.Params = append(info.Params, reqctx.Param{Key: params[i], Value: params[i+1]})
	}
	req = req.WithContext(reqctx.With(req.Context(), info))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, info
}
