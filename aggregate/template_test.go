package aggregate

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestTemplateExpand(t *testing.T) {
	tests := []struct {
		tmpl, path, query string
		params            reqctx.Params
	}{
		{"/users/:id", "/users/42", "", reqctx.Params{{Key: "id", Value: "42"}}},
		{"/users/:id/", "/users/42/", "", reqctx.Params{{Key: "id", Value: "42"}}},
		{"/a%20b/:id", "/a%20b/x%2Fy", "", reqctx.Params{{Key: "id", Value: "x/y"}}},
		{"/u/:id?x=:id&y=lit&z", "/u/%C3%A9", "x=%C3%A9&y=lit&z", reqctx.Params{{Key: "id", Value: "é"}}},
		{"/f/*rest", "/f/a/b", "", reqctx.Params{{Key: "rest", Value: "a//b"}}},
		{"/k=:v", "/k=:v", "", nil},
		{"/", "/", "", nil},
	}
	for _, tt := range tests {
		tp, err := parseTemplate(tt.tmpl)
		if err != nil {
			t.Fatalf("%s: %v", tt.tmpl, err)
		}
		info := &reqctx.Info{Params: tt.params}
		r := httptest.NewRequest("GET", "/", nil)
		buf, f := expand(nil, tp.path, true, r, info, nil)
		path := string(buf)
		buf, f2 := expand(nil, tp.query, false, r, info, nil)
		if f.reason != "" || f2.reason != "" || path != tt.path || string(buf) != tt.query {
			t.Errorf("%s: %q ? %q (%q %q), want %q ? %q", tt.tmpl, path, buf, f.reason, f2.reason, tt.path, tt.query)
		}
	}
}

func TestTemplateReferences(t *testing.T) {
	tp, err := parseTemplate(`/a/{user.id}-x/{user.name\.first}?q={user.tags.0}`)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, p := range append(tp.path, tp.query...) {
		if p.kind == pieceRef {
			refs = append(refs, p.leg+":"+strings.Join(p.field, "|"))
		}
	}
	if got := strings.Join(refs, " "); got != "user:id user:name.first user:tags|0" {
		t.Fatalf("references %s", got)
	}
}

// FuzzTemplate checks that the template parser never panics and that any
// template it accepts expands to a path and query that stay in place,
// whatever the parameter's value.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"/users/:id", "/o?u=:id&x=1", "/f/*p", "/a/{b.c}", "/%zz", "/a{", "/{a.b}{c.d}"} {
		f.Add(s, "v/a?l#u e")
	}
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		tp, err := parseTemplate(tmpl)
		if err != nil {
			return
		}
		for _, p := range append(tp.path, tp.query...) {
			if p.kind == pieceRef {
				return // needs an earlier leg
			}
		}
		info := &reqctx.Info{}
		for _, p := range append(tp.path, tp.query...) {
			if p.kind == pieceParam || p.kind == pieceCatchAll {
				info.Params = append(info.Params, reqctx.Param{Key: p.text, Value: value})
			}
		}
		r := httptest.NewRequest("GET", "/", nil)
		path, f1 := expand(nil, tp.path, true, r, info, nil)
		query, f2 := expand(nil, tp.query, false, r, info, nil)
		if f1.reason != "" || f2.reason != "" {
			return
		}
		if len(path) == 0 || path[0] != '/' || strings.ContainsAny(string(path), "?# ") || strings.ContainsAny(string(query), "# ") {
			t.Fatalf("%q with %q: path %q query %q", tmpl, value, path, query)
		}
	})
}
