package proxy

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

var fuzzTemplates = []string{
	"/users/:id",
	"/internal/users/:id/orders",
	"/files/*rest",
	"/a/:x/b/:y/*rest",
	"/orders?user=:x&limit=10",
	"/s%20p/:x/",
}

// FuzzExpand checks that no parameter value can change the shape of the
// upstream path: the result is one clean absolute path that starts with the
// template's static prefix, has no '?' or '#', no empty or dot segments, the
// segment count the template fixes, and is sent on the wire exactly as
// built.
func FuzzExpand(f *testing.F) {
	for i := range fuzzTemplates {
		f.Add(uint8(i), "42", "a/b", "/x/y/")
		f.Add(uint8(i), "a b", "x?y#z", "/../..")
		f.Add(uint8(i), "..", "%2e%2E", "//a//b//")
		f.Add(uint8(i), "zoë", "a;b=c", "/é/ü ?")
	}
	f.Fuzz(func(t *testing.T, which uint8, x, y, rest string) {
		raw := fuzzTemplates[int(which)%len(fuzzTemplates)]
		tmpl, err := parseTemplate(raw)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := parseDest("http://upstream/base")
		params := ps("id", x, "x", x, "y", y, "rest", rest)
		u, err := expandURL(tmpl, d, params, "")
		if err != nil {
			if !errors.Is(err, ErrBadParam) {
				t.Fatalf("unexpected error %v", err)
			}
			for _, v := range []string{x, y} {
				if v == "" || v == "." || v == ".." {
					return
				}
			}
			for _, seg := range strings.Split(rest, "/") {
				if seg == "." || seg == ".." {
					return
				}
			}
			t.Fatalf("ErrBadParam for acceptable values %q %q %q", x, y, rest)
		}
		esc := u.EscapedPath()
		if want := "/base" + tmpl.prefix; !strings.HasPrefix(esc, want) {
			t.Fatalf("path %q does not start with %q", esc, want)
		}
		if strings.ContainsAny(esc, "?# ") {
			t.Fatalf("path %q has a raw '?', '#' or space", esc)
		}
		if dec, err := url.PathUnescape(esc); err != nil || dec != u.Path {
			t.Fatalf("escaped path %q decodes to %q (%v), want %q", esc, dec, err, u.Path)
		}
		segs := strings.Split(esc[1:], "/")
		for i, seg := range segs {
			dec, _ := url.PathUnescape(seg)
			if seg == "" && i != len(segs)-1 || dec == "." || dec == ".." {
				t.Fatalf("path %q has an empty or dot segment", esc)
			}
		}
		if !strings.Contains(raw, "*") {
			want := strings.Count(strings.SplitN(raw, "?", 2)[0], "/") + 1 // "/base"
			if got := strings.Count(esc, "/"); got != want {
				t.Fatalf("path %q has %d slashes, template %q gives %d", esc, got, raw, want)
			}
		}
		if q := u.RawQuery; q != "" {
			vals, err := url.ParseQuery(q)
			if err != nil || vals.Get("user") != x || vals.Get("limit") != "10" || len(vals) != 2 {
				t.Fatalf("query %q parses to %v (%v)", q, vals, err)
			}
		}
		wire, err := url.ParseRequestURI(u.RequestURI())
		if err != nil || wire.EscapedPath() != esc || wire.Path != u.Path {
			t.Fatalf("request URI %q does not round-trip: %v", u.RequestURI(), err)
		}
	})
}
