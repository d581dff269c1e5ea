package proxy

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzRebase moves an upstream path from one target's base path to
// another's and back, and checks that it reads as if it had been joined to
// the other base in the first place.
func FuzzRebase(f *testing.F) {
	f.Add("/v1", "/v%202", "/items/a%2Fb")
	f.Add("", "/api", "/")
	f.Add("/a%2Fb", "", "/x%20y/z")
	f.Fuzz(func(t *testing.T, baseA, baseB, rest string) {
		a, errA := parseDest("http://a.example" + baseA)
		b, errB := parseDest("http://b.example" + baseB)
		if errA != nil || errB != nil {
			return
		}
		r, err := url.Parse(rest)
		if err != nil || r.Path == "" || r.Path[0] != '/' || r.Host != "" || r.Scheme != "" ||
			r.RawQuery != "" || r.Fragment != "" || r.EscapedPath() != rest {
			return // only well-formed escaped paths, as template expansion makes
		}
		u := &url.URL{Scheme: a.scheme, Host: a.host, Path: r.Path, RawPath: r.RawPath}
		joinBase(u, a)
		want, path := u.EscapedPath(), u.Path
		if !canRebase(u, a) {
			t.Fatalf("path %q does not start with its base %q", want, a.baseEsc)
		}
		direct := &url.URL{Path: r.Path, RawPath: r.RawPath}
		joinBase(direct, b)
		rebase(u, a, b)
		// The same decoded path, with the same segments: equivalent
		// encodings of other characters may differ.
		if u.Host != b.host || u.Path != direct.Path ||
			strings.Count(u.EscapedPath(), "/") != strings.Count(direct.EscapedPath(), "/") {
			t.Fatalf("moved to %s %q (%q), want %q (%q)", u.Host, u.Path, u.EscapedPath(), direct.Path, direct.EscapedPath())
		}
		rebase(u, b, a)
		if u.Host != a.host || u.Path != path || strings.Count(u.EscapedPath(), "/") != strings.Count(want, "/") {
			t.Fatalf("back as %q, want %q", u.EscapedPath(), want)
		}
	})
}
