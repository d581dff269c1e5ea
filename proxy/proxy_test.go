package proxy

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestProxyPaths(t *testing.T) {
	tests := []struct {
		name    string
		target  string // appended to the upstream's URL
		tmpl    string
		params  reqctx.Params
		reqURI  string // request sent to the proxy
		wantURI string // request the upstream receives
	}{
		{"passthrough", "", "", nil, "/users/42?x=1", "/users/42?x=1"},
		{"passthrough base path", "/api", "", nil, "/users/42", "/api/users/42"},
		{"passthrough escaped", "/api", "", nil, "/a%20b/c", "/api/a%20b/c"},
		{"template", "", "/internal/users/:id", ps("id", "42"), "/users/42", "/internal/users/42"},
		{"template base path", "/api/", "/internal/users/:id", ps("id", "42"), "/users/42", "/api/internal/users/42"},
		{"query passed through", "", "/internal/users/:id", ps("id", "42"), "/users/42?fields=name&x=%20", "/internal/users/42?fields=name&x=%20"},
		{"query merged", "", "/orders?user=:id", ps("id", "7"), "/u/7/orders?page=2", "/orders?user=7&page=2"},
		{"escaped value", "", "/internal/users/:id", ps("id", "a b?c"), "/users/x", "/internal/users/a%20b%3Fc"},
		{"unicode value", "", "/internal/users/:id", ps("id", "zoë"), "/users/x", "/internal/users/zo%C3%AB"},
		{"catch-all", "/static", "/files/*rest", ps("rest", "/img/a b.png"), "/f/img/a%20b.png", "/static/files/img/a%20b.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := echoUpstream(t, "u")
			p := mustProxy(t, up.URL+tt.target, tt.tmpl, nil)
			srv := front(t, p, &reqctx.Info{Params: tt.params})
			req, _ := http.NewRequest("GET", srv.URL+tt.reqURI, nil)
			res, s := do(t, req)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, s.Body)
			}
			if s.RequestURI != tt.wantURI {
				t.Fatalf("upstream got %q, want %q", s.RequestURI, tt.wantURI)
			}
		})
	}
}

func TestProxyBadParam(t *testing.T) {
	up := echoUpstream(t, "u")
	p := mustProxy(t, up.URL, "/internal/users/:id/orders", nil)
	for _, v := range []string{"..", ".", ""} {
		srv := front(t, p, &reqctx.Info{Params: ps("id", v)})
		req, _ := http.NewRequest("GET", srv.URL+"/users/x", nil)
		res, s := do(t, req)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("value %q: status %d %q: %s", v, res.StatusCode, res.Header.Get("Content-Type"), s.Body)
		}
	}
}

func TestHopByHopHeaders(t *testing.T) {
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		for _, name := range []string{"X-Secret", "Keep-Alive", "Proxy-Authorization", "Te", "Upgrade"} {
			if v := r.Header.Get(name); v != "" {
				http.Error(w, "upstream received hop-by-hop header "+name+": "+v, http.StatusTeapot)
				return
			}
		}
		if r.Header.Get("X-Kept") != "yes" || r.Header.Get("X-Forwarded-For") == "" || r.Header.Get("X-Request-Id") != "rid-1" {
			http.Error(w, "upstream lost end-to-end headers", http.StatusTeapot)
			return
		}
		w.Header().Set("Connection", "X-Internal")
		w.Header().Set("X-Internal", "upstream-only")
		w.Header().Set("Keep-Alive", "timeout=5")
		w.Header().Set("X-Public", "ok")
	})
	p := mustProxy(t, up.URL, "", nil)
	srv := front(t, p, &reqctx.Info{RequestID: "rid-1"})
	req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
	// A client lists the gateway's own headers in Connection to try to have
	// them stripped after they are set.
	req.Header.Set("Connection", "X-Secret, X-Forwarded-For, X-Request-Id")
	req.Header.Set("X-Secret", "s3cret")
	req.Header.Set("Keep-Alive", "timeout=5")
	req.Header.Set("Proxy-Authorization", "Basic Zm9vOmJhcg==")
	req.Header.Set("X-Kept", "yes")
	res, s := do(t, req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", res.StatusCode, s.Body)
	}
	if res.Header.Get("X-Internal") != "" || res.Header.Get("Keep-Alive") != "" {
		t.Errorf("response hop-by-hop headers reached the client: %v", res.Header)
	}
	if res.Header.Get("X-Public") != "ok" {
		t.Errorf("end-to-end response header lost: %v", res.Header)
	}
}

func TestHostHeader(t *testing.T) {
	tests := []struct {
		name string
		opts []UpstreamOption
		want func(upstreamHost string) string
	}{
		{"default is the target host", nil, func(h string) string { return h }},
		{"configured", []UpstreamOption{Host("users.internal")}, func(string) string { return "users.internal" }},
		{"preserved", []UpstreamOption{PreserveHost()}, func(string) string { return "api.example.com" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := echoUpstream(t, "u")
			p := mustProxy(t, up.URL, "", tt.opts)
			srv := front(t, p, nil)
			req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
			req.Host = "api.example.com"
			_, s := do(t, req)
			if want := tt.want(strings.TrimPrefix(up.URL, "http://")); s.Host != want {
				t.Fatalf("upstream saw Host %q, want %q", s.Host, want)
			}
			if got := s.Header.Get("X-Forwarded-Host"); got != "api.example.com" {
				t.Fatalf("X-Forwarded-Host %q", got)
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	var targets []string
	for _, name := range []string{"a", "b", "c"} {
		targets = append(targets, echoUpstream(t, name).URL)
	}
	up, err := NewUpstream("three", targets)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(up, "/ping", Transport(testTransport(t)))
	if err != nil {
		t.Fatal(err)
	}
	srv := front(t, p, nil)
	var order []string
	for range 9 {
		req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
		_, s := do(t, req)
		order = append(order, s.Server)
	}
	if got := strings.Join(order, ""); got != "abcabcabc" {
		t.Fatalf("targets served in order %q, want abcabcabc", got)
	}
}
