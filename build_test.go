package gateway_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

func TestBuildErrors(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {}
	tests := []struct {
		name  string
		setup func(gw *gateway.Gateway)
		want  []string
	}{
		{"conflicting wildcard", func(gw *gateway.Gateway) {
			gw.GET("/users/:id").HandleFunc(ok)
			gw.GET("/users/:name").HandleFunc(ok)
		}, []string{"GET /users/:name"}},
		{"duplicate", func(gw *gateway.Gateway) {
			gw.GET("/a").HandleFunc(ok)
			gw.GET("/a").HandleFunc(ok)
		}, []string{"GET /a"}},
		{"no integration", func(gw *gateway.Gateway) { gw.GET("/a") }, []string{"no integration"}},
		{"two integrations", func(gw *gateway.Gateway) { gw.GET("/a").HandleFunc(ok).Mock(200, "") }, []string{"second integration"}},
		{"bad mock", func(gw *gateway.Gateway) { gw.GET("/a").Mock(200, "", "X-Odd") }, []string{"name/value pairs"}},
		{"mock status", func(gw *gateway.Gateway) { gw.GET("/a").Mock(42, "") }, []string{"out of range"}},
		{"mock informational status", func(gw *gateway.Gateway) { gw.GET("/a").Mock(100, "hi") }, []string{"out of range"}},
		{"mock body on 204", func(gw *gateway.Gateway) { gw.GET("/a").Mock(204, "hi") }, []string{"no body"}},
		{"mock body on 304", func(gw *gateway.Gateway) { gw.GET("/a").Mock(304, "hi") }, []string{"no body"}},
		{"nil handler", func(gw *gateway.Gateway) { gw.GET("/a").Handle(nil) }, []string{"nil handler"}},
		{"nil middleware", func(gw *gateway.Gateway) { gw.GET("/a").Use(nil).HandleFunc(ok) }, []string{"nil middleware"}},
		{"panicking middleware", func(gw *gateway.Gateway) {
			gw.GET("/a").Use(func(http.Handler) http.Handler { panic("boom") }).HandleFunc(ok)
		}, []string{"panicked while wrapping: boom"}},
		{"non-canonical path", func(gw *gateway.Gateway) { gw.GET("/a//b").HandleFunc(ok) }, []string{"canonical"}},
		{"relative path", func(gw *gateway.Gateway) { gw.GET("a").HandleFunc(ok) }, []string{"must start with /"}},
		{"repeated param", func(gw *gateway.Gateway) { gw.GET("/a/:id/b/:id").HandleFunc(ok) }, []string{"used twice"}},
		{"bad upstream", func(gw *gateway.Gateway) {
			u := gw.Upstream("users", "ftp://nope")
			gw.GET("/a").Proxy(u, "/a")
		}, []string{"users", "undeclared or invalid upstream"}},
		{"duplicate upstream", func(gw *gateway.Gateway) {
			gw.Upstream("users", "http://127.0.0.1:1")
			gw.Upstream("users", "http://127.0.0.1:2")
		}, []string{"declared twice"}},
		{"unknown param in upstream path", func(gw *gateway.Gateway) {
			u := gw.Upstream("users", "http://127.0.0.1:1")
			gw.GET("/users/:id").Proxy(u, "/internal/:uid")
		}, []string{":uid"}},
		{"invalid integration", func(gw *gateway.Gateway) {
			gw.GET("/a").Handle(invalid{errors.New("bad integration setting")})
		}, []string{"GET /a", "integration: bad integration setting"}},
		{"invalid middleware", func(gw *gateway.Gateway) {
			gw.GET("/a").Use(func(http.Handler) http.Handler {
				return invalid{errors.New("bad block setting")}
			}).HandleFunc(ok)
		}, []string{"middleware 0: bad block setting"}},
		{"invalid gateway middleware", func(gw *gateway.Gateway) {
			gw.Use(func(http.Handler) http.Handler { return invalid{errors.New("bad outer setting")} })
		}, []string{"gateway middleware 0: bad outer setting"}},
		{"all errors at once", func(gw *gateway.Gateway) {
			gw.GET("/a")
			gw.GET("/b").Mock(1, "")
		}, []string{"GET /a", "GET /b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := gateway.New(quiet)
			tt.setup(gw)
			_, err := gw.Deploy("prod", nil)
			if err == nil {
				t.Fatal("Deploy succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if err2 := gw.Build(); err2 == nil {
				t.Error("Build succeeded")
			}
			// A misconfigured draft answers 500 rather than panicking.
			gatewaytest.NewClient(t, gw).Get("/a").ExpectStatus(http.StatusInternalServerError)
		})
	}
}

// invalid is a handler that reports a configuration mistake through
// gateway.Validator, the way blocks with one-line constructors do.
type invalid struct{ err error }

func (v invalid) Validate() error { return v.err }

func (v invalid) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "misconfigured", http.StatusInternalServerError)
}

var _ gateway.Validator = invalid{}

func TestBadOptions(t *testing.T) {
	for _, opts := range [][]gateway.Option{
		{gateway.TrustedProxies("10.0.0.0/99")},
		{gateway.StagesByHost(map[string]string{"a.example": "bad stage"})},
		{gateway.TrustedProxyHops(-1)},
		{gateway.TrustedProxyHops(2), gateway.TrustedProxies("10.0.0.0/8")},
	} {
		gw := gateway.New(opts...)
		gw.GET("/").Mock(200, "")
		if err := gw.Build(); err == nil {
			t.Errorf("bad option accepted")
		}
	}
}

func TestDeployRejectsBadStage(t *testing.T) {
	gw := gateway.New()
	gw.GET("/").Mock(200, "")
	for _, tt := range []struct {
		stage string
		vars  map[string]string
	}{
		{"", nil},
		{"has space", nil},
		{"prod", map[string]string{"bad-name": "x"}},
		{"prod", map[string]string{"host": "evil\r\nX-Injected: 1"}},
	} {
		if _, err := gw.Deploy(tt.stage, tt.vars); err == nil {
			t.Errorf("Deploy(%q, %v) accepted", tt.stage, tt.vars)
		}
	}
	if _, err := gw.Rollback("nope"); !errors.Is(err, gateway.ErrUnknownStage) {
		t.Errorf("Rollback unknown: %v", err)
	}
}

// FuzzRouteBuild declares arbitrary route paths: building must return an
// error or succeed, never panic, and a successful build serves requests.
func FuzzRouteBuild(f *testing.F) {
	for _, s := range []string{"/a", "/a/:id", "/a/*rest", "/:x/:y", "/a/:id/*r", "//", "/a/:", "/*", "/a/:id|/a/:name", "/a|/a/b|/a/:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, paths string) {
		gw := gateway.New(quiet)
		for _, p := range strings.Split(paths, "|") {
			gw.GET(p).Mock(200, "ok")
		}
		if err := gw.Build(); err != nil {
			return
		}
		rec := gatewaytest.NewClient(t, gw).Get("/a/b")
		if rec.Status != 200 && rec.Status != 404 && rec.Status != 405 {
			t.Fatalf("status %d", rec.Status)
		}
	})
}

// TestConcurrentBuilderAndDeploy declares routes while deploying, for the
// race detector.
func TestConcurrentBuilderAndDeploy(t *testing.T) {
	gw := gateway.New()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			gw.GET("/r/"+strings.Repeat("x", i+1)).Name("n").Timeout(time.Second).MaxBodyBytes(10).Mock(200, "")
		}
	}()
	for range 20 {
		_, _ = gw.Deploy("prod", nil)
	}
	<-done
	if _, err := gw.Deploy("prod", nil); err != nil {
		t.Fatal(err)
	}
}
