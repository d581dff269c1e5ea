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

	"github.com/gatewaykit/gateway/breaker"
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

// BenchmarkBalancer measures choosing a target among four, per strategy,
// with and without health tracking.
func BenchmarkBalancer(b *testing.B) {
	targets := []string{"http://10.0.0.1:80", "http://10.0.0.2:80", "http://10.0.0.3:80", "http://10.0.0.4:80"}
	cases := []struct {
		name string
		opts []UpstreamOption
	}{
		{"round-robin", nil},
		{"weighted", []UpstreamOption{WithWeights(4, 3, 2, 1)}},
		{"least-outstanding", []UpstreamOption{WithBalancer(LeastOutstanding)}},
		{"round-robin+health", []UpstreamOption{WithPassiveHealth(PassiveHealth{})}},
		{"least-outstanding+health", []UpstreamOption{WithBalancer(LeastOutstanding), WithPassiveHealth(PassiveHealth{})}},
	}
	for _, c := range cases {
		u, err := NewUpstream("svc", targets, c.opts...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if u.choose(-1) < 0 {
						b.Fatal("no target")
					}
				}
			})
		})
	}
}

// BenchmarkProxyResilient is BenchmarkProxy through an upstream with every
// resilience feature on: breaker, retries with a per-try timeout, overall
// timeout, passive health, least-outstanding balancing.
func BenchmarkProxyResilient(b *testing.B) {
	up := benchUpstream(b)
	tr := NewTransport()
	b.Cleanup(tr.CloseIdleConnections)
	u, err := NewUpstream("users", []string{up.URL},
		WithBalancer(LeastOutstanding),
		WithBreaker(breaker.Settings{FailureRatio: 0.5}),
		WithRetry(RetryPolicy{PerTryTimeout: time.Second}),
		WithTimeout(5*time.Second),
		WithPassiveHealth(PassiveHealth{}))
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
