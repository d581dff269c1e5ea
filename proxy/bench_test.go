package proxy

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// benchBody is a JSON object of about 1 KiB, the size of a typical API
// response.
var benchBody = []byte(`{"id":42,"name":"` + strings.Repeat("x", 1000) + `"}`)

func benchUpstream(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(benchBody)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// discard is a reusable ResponseWriter, so the benchmarks measure the proxy
// rather than a recorder.
type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func runProxyBench(b *testing.B, h http.Handler, req *http.Request) {
	w := &discard{h: make(http.Header)}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.n != len(benchBody) {
			b.Fatalf("status %d, %d bytes", w.status, w.n)
		}
	}
}

func benchRequest() *http.Request {
	req := httptest.NewRequest("GET", "http://gateway.example/users/42?fields=name", nil)
	req.RemoteAddr = "192.0.2.10:51234"
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "bench/1.0")
	return req
}

// BenchmarkProxy forwards GET /users/:id to /users/:id of a real upstream,
// with the parameters and request ID a gateway puts in the context.
func BenchmarkProxy(b *testing.B) {
	up := benchUpstream(b)
	tr := NewTransport()
	b.Cleanup(tr.CloseIdleConnections)
	u, err := NewUpstream("users", []string{up.URL})
	if err != nil {
		b.Fatal(err)
	}
	p, err := New(u, "/users/:id", Transport(tr))
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest()
	req = req.WithContext(reqctx.With(req.Context(), &reqctx.Info{RequestID: "4f2a9c-1", Params: ps("id", "42")}))
	runProxyBench(b, p, req)
}

// BenchmarkStdlibReverseProxy is the floor BenchmarkProxy is compared with:
// a bare httputil.ReverseProxy configured like the stdproxy peer (SetURL,
// SetXForwarded, a transport keeping 256 idle connections per host).
func BenchmarkStdlibReverseProxy(b *testing.B) {
	up := benchUpstream(b)
	target, _ := url.Parse(up.URL)
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
	}
	b.Cleanup(tr.CloseIdleConnections)
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
		},
		Transport: tr,
	}
	runProxyBench(b, rp, benchRequest())
}

// BenchmarkRewrite measures the proxy's own work per request: picking a
// target, expanding the path and setting the forwarding headers.
func BenchmarkRewrite(b *testing.B) {
	u, _ := NewUpstream("users", []string{"http://10.0.0.5:8080", "http://10.0.0.6:8080"})
	p, _ := New(u, "/internal/users/:id")
	in := benchRequest()
	in = in.WithContext(reqctx.With(in.Context(), &reqctx.Info{RequestID: "4f2a9c-1", Params: ps("id", "42")}))
	out := in.Clone(in.Context())
	pr := &httputil.ProxyRequest{In: in, Out: out}
	b.ReportAllocs()
	for b.Loop() {
		pr.Out = out
		p.rewrite(pr)
	}
}
