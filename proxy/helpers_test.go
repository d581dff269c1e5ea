package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// seen is what the echo upstream reports about the request it received.
type seen struct {
	Server     string      `json:"server"`
	Method     string      `json:"method"`
	Host       string      `json:"host"`
	RequestURI string      `json:"requestURI"`
	Header     http.Header `json:"header"`
	Body       string      `json:"body"`
}

// echoUpstream starts an upstream that answers every request with a JSON
// description of it, tagged with name.
func echoUpstream(t testing.TB, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(seen{
			Server: name, Method: r.Method, Host: r.Host, RequestURI: r.RequestURI,
			Header: r.Header, Body: string(body),
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// testTransport returns a transport of the proxy's tuning whose idle
// connections are closed when the test ends.
func testTransport(t testing.TB) *http.Transport {
	tr := NewTransport()
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// front serves h on a real server, putting a copy of info (when not nil) in
// each request's context the way a gateway does.
func front(t testing.TB, h http.Handler, info *reqctx.Info) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(withInfo(h, info))
	t.Cleanup(srv.Close)
	return srv
}

func withInfo(h http.Handler, info *reqctx.Info) http.Handler {
	if info == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := *info
		h.ServeHTTP(w, r.WithContext(reqctx.With(r.Context(), &i)))
	})
}

// mustProxy builds a proxy to a single-target upstream at target.
func mustProxy(t testing.TB, target, path string, uopts []UpstreamOption, opts ...Option) *Proxy {
	t.Helper()
	up, err := NewUpstream("test", []string{target}, uopts...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(up, path, append([]Option{Transport(testTransport(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// do sends req with a client whose connections close with the test and
// decodes the echo upstream's report.
func do(t testing.TB, req *http.Request) (*http.Response, seen) {
	t.Helper()
	client := &http.Client{Transport: testTransport(t)}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var s seen
	if res.StatusCode == http.StatusOK && res.Header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(body, &s); err != nil {
			t.Fatalf("upstream report %q: %v", body, err)
		}
	} else {
		s.Body = string(body)
	}
	return res, s
}

// handlerUpstream starts an upstream running h.
func handlerUpstream(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
