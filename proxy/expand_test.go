package proxy

import (
	"errors"
	"net/url"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// expandCase is shared by the expansion test, its allocation guard and the
// benchmark.
type expandCase struct {
	name    string
	tmpl    string
	base    string // target base path
	params  reqctx.Params
	query   string // client's query
	wantURI string // escaped path and query as sent upstream
	wantErr error
}

var expandCases = []expandCase{
	{name: "static", tmpl: "/health", wantURI: "/health"},
	{name: "param", tmpl: "/internal/users/:id", params: ps("id", "42"), wantURI: "/internal/users/42"},
	{name: "base path", tmpl: "/users/:id", base: "/api", params: ps("id", "42"), wantURI: "/api/users/42"},
	{name: "base trailing slash", tmpl: "/users/:id", base: "/api/", params: ps("id", "7"), wantURI: "/api/users/7"},
	{name: "space", tmpl: "/users/:id", params: ps("id", "a b"), wantURI: "/users/a%20b"},
	{name: "question mark", tmpl: "/users/:id", params: ps("id", "x?y"), wantURI: "/users/x%3Fy"},
	{name: "hash", tmpl: "/users/:id", params: ps("id", "x#y"), wantURI: "/users/x%23y"},
	{name: "slash", tmpl: "/users/:id/orders", params: ps("id", "a/b"), wantURI: "/users/a%2Fb/orders"},
	{name: "percent", tmpl: "/users/:id", params: ps("id", "a%2Fb"), wantURI: "/users/a%252Fb"},
	{name: "semicolon", tmpl: "/users/:id", params: ps("id", "1;jsessionid=x"), wantURI: "/users/1%3Bjsessionid=x"},
	{name: "unicode", tmpl: "/users/:id", params: ps("id", "zoë"), wantURI: "/users/zo%C3%AB"},
	{name: "dots inside", tmpl: "/users/:id", params: ps("id", "a..b"), wantURI: "/users/a..b"},
	{name: "dot dot", tmpl: "/users/:id", params: ps("id", ".."), wantErr: ErrBadParam},
	{name: "dot", tmpl: "/users/:id", params: ps("id", "."), wantErr: ErrBadParam},
	{name: "empty", tmpl: "/users/:id/orders", params: ps("id", ""), wantErr: ErrBadParam},
	{name: "missing", tmpl: "/users/:id", params: ps("other", "1"), wantErr: errMissingParam},
	{name: "catch-all", tmpl: "/files/*rest", params: ps("rest", "/a/b c/d.txt"), wantURI: "/files/a/b%20c/d.txt"},
	{name: "catch-all trailing slash", tmpl: "/files/*rest", params: ps("rest", "/a/b/"), wantURI: "/files/a/b/"},
	{name: "catch-all empty", tmpl: "/files/*rest", params: ps("rest", ""), wantURI: "/files/"},
	{name: "catch-all collapses slashes", tmpl: "/files/*rest", params: ps("rest", "//a///b"), wantURI: "/files/a/b"},
	{name: "catch-all query chars", tmpl: "/files/*rest", params: ps("rest", "/a?b=1#c"), wantURI: "/files/a%3Fb=1%23c"},
	{name: "catch-all dot dot", tmpl: "/files/*rest", params: ps("rest", "/a/../../etc/passwd"), wantErr: ErrBadParam},
	{name: "escaped literal", tmpl: "/a%20b/:id", params: ps("id", "1"), wantURI: "/a%20b/1"},
	{name: "literal colon", tmpl: "/v1/models/x:generate", wantURI: "/v1/models/x:generate"},
	{name: "client query", tmpl: "/users/:id", params: ps("id", "1"), query: "fields=a,b", wantURI: "/users/1?fields=a,b"},
	{name: "query merge", tmpl: "/orders?user=:id&limit=10", params: ps("id", "a&b=c"), query: "page=2", wantURI: "/orders?user=a%26b%3Dc&limit=10&page=2"},
	{name: "static query", tmpl: "/orders?v=2", query: "", wantURI: "/orders?v=2"},
	{name: "static query and client", tmpl: "/orders?v=2", query: "page=3", wantURI: "/orders?v=2&page=3"},
}

func ps(kv ...string) reqctx.Params {
	var out reqctx.Params
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, reqctx.Param{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// expandURL runs a template the way Rewrite does and returns the URL.
func expandURL(tmpl *pathTemplate, d *dest, params reqctx.Params, query string) (*url.URL, error) {
	var stack [160]byte
	u := &url.URL{Scheme: "http", Host: "upstream"}
	var err error
	if u.Path, u.RawPath, err = tmpl.expand(stack[:0], d.baseEsc, d.baseDec, d.baseRaw, params); err != nil {
		return nil, err
	}
	if u.RawQuery, err = tmpl.expandQuery(stack[:0], params, query); err != nil {
		return nil, err
	}
	return u, nil
}

func TestExpand(t *testing.T) {
	for _, tt := range expandCases {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := parseTemplate(tt.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			d, err := parseDest("http://upstream" + tt.base)
			if err != nil {
				t.Fatal(err)
			}
			u, err := expandURL(tmpl, d, tt.params, tt.query)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := u.RequestURI(); got != tt.wantURI {
				t.Fatalf("request URI %q, want %q", got, tt.wantURI)
			}
		})
	}
}

func TestExpandAllocs(t *testing.T) {
	tests := []struct {
		name   string
		tmpl   string
		params reqctx.Params
		max    float64
	}{
		{"static", "/health", nil, 0},
		{"param", "/internal/users/:id", ps("id", "42"), 1},
		{"catch-all", "/files/*rest", ps("rest", "/a/b/c.txt"), 1},
		{"two params", "/a/:x/b/:y", ps("x", "1", "y", "2"), 1},
	}
	d, _ := parseDest("http://upstream")
	for _, tt := range tests {
		tmpl, err := parseTemplate(tt.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			var stack [160]byte
			if _, _, err := tmpl.expand(stack[:0], d.baseEsc, d.baseDec, d.baseRaw, tt.params); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > tt.max {
			t.Errorf("%s: %v allocations per expansion, want at most %v", tt.name, allocs, tt.max)
		}
	}
}

func BenchmarkExpand(b *testing.B) {
	tmpl, _ := parseTemplate("/internal/users/:id/orders")
	d, _ := parseDest("http://upstream/api")
	params := ps("id", "12345")
	b.ReportAllocs()
	for b.Loop() {
		var stack [160]byte
		if _, _, err := tmpl.expand(stack[:0], d.baseEsc, d.baseDec, d.baseRaw, params); err != nil {
			b.Fatal(err)
		}
	}
}
