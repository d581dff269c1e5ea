package proxy

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestNewUpstreamErrors(t *testing.T) {
	tests := []struct {
		name    string
		targets []string
		opts    []UpstreamOption
		want    string
	}{
		{"no targets", nil, nil, "no targets"},
		{"bad scheme", []string{"ftp://h"}, nil, "scheme must be http or https"},
		{"relative", []string{"/api"}, nil, "scheme must be http or https"},
		{"no host", []string{"http:///api"}, nil, "has no host"},
		{"port only", []string{"http://:8080"}, nil, "has no host"},
		{"userinfo", []string{"http://u:p@h"}, nil, "user information"},
		{"query", []string{"http://h/api?x=1"}, nil, "must not have a query"},
		{"fragment", []string{"http://h/api#x"}, nil, "must not have a fragment"},
		{"bad port", []string{"http://h:http"}, nil, "invalid port"},
		{"dot segment", []string{"http://h/a/../b"}, nil, "dot segment"},
		{"unterminated placeholder", []string{"http://${stageVariables.host"}, nil, "unterminated placeholder"},
		{"foreign placeholder", []string{"http://${env.HOST}"}, nil, "is not ${stageVariables.NAME}"},
		{"empty variable name", []string{"http://${stageVariables.}"}, nil, "invalid variable name"},
		{"bad variable name", []string{"http://${stageVariables.a b}"}, nil, "invalid variable name"},
		{"bad Host option", []string{"http://h"}, []UpstreamOption{Host("a/b")}, "invalid Host"},
		{"Host and PreserveHost", []string{"http://h"}, []UpstreamOption{Host("a"), PreserveHost()}, "exclusive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewUpstream("users", tt.targets, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `upstream "users"`) {
				t.Fatalf("err = %v, want one naming the upstream and containing %q", err, tt.want)
			}
			if len(tt.targets) > 0 && tt.opts == nil && !strings.Contains(err.Error(), tt.targets[0]) {
				t.Fatalf("err = %v does not name the target", err)
			}
		})
	}
	if _, err := NewUpstream("", []string{"http://h"}); err == nil {
		t.Fatal("an unnamed upstream was accepted")
	}
}

func TestUpstreamAccessors(t *testing.T) {
	targets := []string{"http://a:1", "https://b/api", "http://${stageVariables.c}:8080"}
	u, err := NewUpstream("svc", targets)
	if err != nil {
		t.Fatal(err)
	}
	got := u.Targets()
	got[0] = "changed"
	if u.Name() != "svc" || u.Targets()[0] != "http://a:1" || len(u.Targets()) != 3 {
		t.Fatalf("Name %q Targets %q", u.Name(), u.Targets())
	}
	if u.Transport() != DefaultTransport() || DefaultTransport() == http.DefaultTransport {
		t.Fatal("an upstream without a transport must use the package's default, not http.DefaultTransport")
	}
	own := NewTransport()
	u2, _ := NewUpstream("svc", targets[:1], WithTransport(own))
	if u2.Transport() != own {
		t.Fatal("WithTransport ignored")
	}
}

func TestStageVariables(t *testing.T) {
	u, err := NewUpstream("users", []string{"http://${stageVariables.host}:${stageVariables.port}/${stageVariables.version}"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		vars    map[string]string
		wantURL string
		wantErr string
	}{
		{"resolved", map[string]string{"host": "10.0.0.5", "port": "8080", "version": "v2"}, "http://10.0.0.5:8080/v2", ""},
		{"other stage", map[string]string{"host": "users.beta", "port": "80", "version": "v3"}, "http://users.beta:80/v3", ""},
		{"missing", map[string]string{"host": "h", "port": "80"}, "", `stage variable "version" is not set`},
		{"bad port", map[string]string{"host": "h", "port": "x", "version": "v"}, "", "invalid port"},
		{"query injected", map[string]string{"host": "h", "port": "1", "version": "v?x=1"}, "", "must not have a query"},
		{"no variables", nil, "", "is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := u.Validate(tt.vars)
			r := httptest.NewRequest("GET", "/", nil)
			r = r.WithContext(reqctx.With(r.Context(), &reqctx.Info{StageVars: tt.vars}))
			got, nextErr := u.Next(r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "${stageVariables.host}") {
					t.Fatalf("Validate = %v, want an error naming the target and containing %q", err, tt.wantErr)
				}
				if !errors.Is(nextErr, ErrStageVariable) {
					t.Fatalf("Next error %v, want ErrStageVariable", nextErr)
				}
				return
			}
			if err != nil || nextErr != nil {
				t.Fatalf("Validate %v, Next %v", err, nextErr)
			}
			if got.String() != tt.wantURL {
				t.Fatalf("Next = %s, want %s", got, tt.wantURL)
			}
		})
	}
}

func TestStageVariableResolutionIsCached(t *testing.T) {
	u, _ := NewUpstream("users", []string{"http://${stageVariables.host}/api"})
	vars := map[string]string{"host": "10.0.0.5:8080"}
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(reqctx.With(r.Context(), &reqctx.Info{StageVars: vars}))
	first, err := u.Next(r)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if got, _ := u.Next(r); got != first {
			t.Fatal("resolved URL not reused")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per resolution of a cached target", allocs)
	}
	// The cache is bounded.
	for i := range 3 * maxResolved {
		if _, err := u.members[0].t.resolve(map[string]string{"host": "h" + strings.Repeat("x", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(u.members[0].t.cache); n > maxResolved {
		t.Fatalf("cache holds %d entries", n)
	}
}

func TestStageVariableProxy(t *testing.T) {
	up := echoUpstream(t, "u")
	host := strings.TrimPrefix(up.URL, "http://")
	u, err := NewUpstream("users", []string{"http://${stageVariables.usersHost}/${stageVariables.prefix}"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(u, "/users/:id", Transport(testTransport(t)))
	if err != nil {
		t.Fatal(err)
	}
	srv := front(t, p, &reqctx.Info{StageVars: map[string]string{"usersHost": host, "prefix": "beta"}, Params: ps("id", "9")})
	req, _ := http.NewRequest("GET", srv.URL+"/users/9", nil)
	res, s := do(t, req)
	if res.StatusCode != http.StatusOK || s.RequestURI != "/beta/users/9" || s.Host != host {
		t.Fatalf("status %d, upstream saw %q on %q", res.StatusCode, s.RequestURI, s.Host)
	}
}

func TestNewProxyErrors(t *testing.T) {
	u, _ := NewUpstream("u", []string{"http://h"})
	if _, err := New(nil, "/x"); err == nil {
		t.Fatal("nil upstream accepted")
	}
	if _, err := New(u, "x/:id"); err == nil {
		t.Fatal("relative template accepted")
	}
	p, err := New(u, "/a/:x/*rest")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Params(), ","); got != "x,rest" || p.Upstream() != u {
		t.Fatalf("Params %q", got)
	}
}
