package pathnorm

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

var cleanTests = []struct {
	in, want, wantRaw string
	opt               Options
	err               error
}{
	{in: "/", want: "/"},
	{in: "/users/42", want: "/users/42"},
	{in: "/users/42/", want: "/users/42/"},
	{in: "//users///42", want: "/users/42"},
	{in: "/a/./b", want: "/a/b"},
	{in: "/a/b/..", want: "/a/"},
	{in: "/a/../../admin", want: "/admin"},
	{in: "/public/..%2fadmin", err: ErrEncodedSlash},
	{in: "/public/%2e%2e/admin", want: "/admin"},
	{in: "/public/%2E%2E/admin", want: "/admin"},
	{in: "/public/.%2e/admin", want: "/admin"},
	{in: "/public/%2e/admin", want: "/public/admin"},
	{in: "/a/%252e%252e/b", want: "/a/%2e%2e/b"},
	{in: "/caf%C3%A9", want: "/café"},
	{in: "/a%20b", want: "/a b"},
	{in: "/a%00b", err: ErrControlChar},
	{in: "/a\x00b", err: ErrControlChar},
	{in: "/a%0d%0aX: y", err: ErrControlChar},
	{in: "/a%5c..%5cadmin", err: ErrBackslash},
	{in: "/a\\b", err: ErrBackslash},
	{in: "/a%zz", err: ErrBadEscape},
	{in: "/a%2", err: ErrBadEscape},
	{in: "users", err: ErrNotAbsolute},
	{in: "", err: ErrNotAbsolute},
	{in: "/files/a%2Fb/c", opt: Options{AllowEncodedSlash: true}, want: "/files/a/b/c", wantRaw: "/files/a%2Fb/c"},
	{in: "/x/../files/a%2Fb", opt: Options{AllowEncodedSlash: true}, want: "/files/a/b", wantRaw: "/files/a%2Fb"},
	{in: "/public/..;/admin", err: ErrDotSegment},
	{in: "/public/..;jsessionid=x/admin", err: ErrDotSegment},
	{in: "/public/.;x/admin", err: ErrDotSegment},
	{in: "/public/%2e%2e;/admin", err: ErrDotSegment},
	{in: "/public/..%3B/admin", err: ErrDotSegment},
	{in: "/public/..;", err: ErrDotSegment},
	{in: "/a;b/c;d=1", want: "/a;b/c;d=1"},
	{in: "/a/...;x", want: "/a/...;x"},
	{in: "/public%2F..%2Fadmin/x", opt: Options{AllowEncodedSlash: true}, err: ErrDotSegment},
	{in: "/public/a%2F..%2F..%2Fadmin", opt: Options{AllowEncodedSlash: true}, err: ErrDotSegment},
	{in: "/public/..%2Fadmin", opt: Options{AllowEncodedSlash: true}, err: ErrDotSegment},
	{in: "/public/a%2F.", opt: Options{AllowEncodedSlash: true}, err: ErrDotSegment},
	{in: "/public/a%2F..;x%2Fb", opt: Options{AllowEncodedSlash: true}, err: ErrDotSegment},
	{in: "/files/a%2F..b", opt: Options{AllowEncodedSlash: true}, want: "/files/a/..b", wantRaw: "/files/a%2F..b"},
	{in: "/.hidden/..x", want: "/.hidden/..x"},
	{in: "/...", want: "/..."},
}

func TestClean(t *testing.T) {
	for _, tt := range cleanTests {
		t.Run(tt.in, func(t *testing.T) {
			got, raw, err := Clean(tt.in, tt.opt)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Clean(%q) err = %v, want %v", tt.in, err, tt.err)
			}
			if got != tt.want || raw != tt.wantRaw {
				t.Fatalf("Clean(%q) = %q, %q; want %q, %q", tt.in, got, raw, tt.want, tt.wantRaw)
			}
		})
	}
}

func TestCleanCanonicalDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, _, err := Clean("/v1/users/42/orders", Options{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("canonical path allocated %v times", allocs)
	}
}

func BenchmarkClean(b *testing.B) {
	for _, p := range []string{"/v1/users/42/orders", "/v1//users/./42/%2e%2e/orders"} {
		b.Run(p, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _, _ = Clean(p, Options{})
			}
		})
	}
}

// FuzzClean checks the invariants every canonical path must hold: it is
// absolute, has no empty or dot segments, no control characters, is a fixed
// point of Clean, and keeps the same meaning when re-escaped by net/url.
func FuzzClean(f *testing.F) {
	for _, tt := range cleanTests {
		f.Add(tt.in, tt.opt.AllowEncodedSlash)
	}
	f.Fuzz(func(t *testing.T, in string, allowSlash bool) {
		opt := Options{AllowEncodedSlash: allowSlash}
		got, raw, err := Clean(in, opt)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "/") {
			t.Fatalf("Clean(%q) = %q: not absolute", in, got)
		}
		check := got
		if raw != "" {
			check = raw
		}
		inner := strings.TrimSuffix(check[1:], "/")
		if check != "/" {
			for _, seg := range strings.Split(inner, "/") {
				if seg == "" || seg == "." || seg == ".." {
					t.Fatalf("Clean(%q) = %q: bad segment %q", in, check, seg)
				}
			}
		}
		// Neither a server that drops path parameters nor one that
		// decodes encoded slashes first finds a dot segment.
		for _, seg := range strings.Split(got, "/") {
			if i := strings.IndexByte(seg, ';'); i >= 0 {
				seg = seg[:i]
			}
			if seg == "." || seg == ".." {
				t.Fatalf("Clean(%q) = %q: hidden dot segment", in, got)
			}
		}
		for i := 0; i < len(got); i++ {
			if got[i] < 0x20 || got[i] == 0x7f || got[i] == '\\' {
				t.Fatalf("Clean(%q) = %q: forbidden byte", in, got)
			}
		}
		u := &url.URL{Path: got, RawPath: raw}
		again, raw2, err := Clean(u.EscapedPath(), opt)
		if err != nil || again != got || raw2 != raw {
			t.Fatalf("not a fixed point: Clean(%q) = %q %q, then %q %q %v", in, got, raw, again, raw2, err)
		}
	})
}

func TestRoutePath(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"/files/a%2Fb/c", `/files/a\b/c`, true},
		{"/files/a%2fb%20c", `/files/a\b c`, true},
		{"/files/100%25", "/files/100%", true},
		{"/plain", "/plain", true},
		{"/a%5Cb", "", false},
		{`/a\b`, "", false},
		{"/a%2", "", false},
	} {
		got, ok := RoutePath(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RoutePath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzRoutePath checks that the routing form of every path Clean accepts
// exists, keeps a segment holding an encoded slash whole, and reads as the
// canonical path once its marks are slashes again.
func FuzzRoutePath(f *testing.F) {
	for _, tt := range cleanTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, raw, err := Clean(in, Options{AllowEncodedSlash: true})
		if err != nil {
			return
		}
		esc := (&url.URL{Path: got, RawPath: raw}).EscapedPath()
		rp, ok := RoutePath(esc)
		if !ok {
			t.Fatalf("RoutePath(%q) failed for Clean(%q)", esc, in)
		}
		if back := strings.ReplaceAll(rp, string(SlashMark), "/"); back != got {
			t.Fatalf("RoutePath(%q) = %q, reads as %q, want %q", esc, rp, back, got)
		}
		if strings.Count(rp, "/") != strings.Count(esc, "/") {
			t.Fatalf("RoutePath(%q) = %q: segments changed", esc, rp)
		}
	})
}

func TestLexical(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a/b", "/a/b"},
		{"/a/b/", "/a/b/"},
		{"/a//b", "/a/b"},
		{"/a/./b/../c/", "/a/c/"},
		{"/..", "/"},
		{"/a/.well-known", "/a/.well-known"},
	} {
		if got := Lexical(c.in); got != c.want {
			t.Errorf("Lexical(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
