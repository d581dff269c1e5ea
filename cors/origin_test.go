package cors

import (
	"strings"
	"testing"
)

func TestParseOrigin(t *testing.T) {
	tests := []struct {
		in        string
		exact     string
		pattern   *pattern
		wantError bool
	}{
		{in: "*"},
		{in: "https://app.example.com", exact: "https://app.example.com"},
		{in: "HTTPS://App.Example.COM", exact: "https://app.example.com"},
		{in: "https://app.example.com:443", exact: "https://app.example.com"},
		{in: "http://localhost:3000", exact: "http://localhost:3000"},
		{in: "http://127.0.0.1:8080", exact: "http://127.0.0.1:8080"},
		{in: "http://[::1]:8080", exact: "http://[::1]:8080"},
		{in: "chrome-extension://abcdef", exact: "chrome-extension://abcdef"},
		{in: "https://*.example.com", pattern: &pattern{"https://", ".example.com", ""}},
		{in: "https://*.example.com:8443", pattern: &pattern{"https://", ".example.com", ":8443"}},
		{in: "null", wantError: true},
		{in: "", wantError: true},
		{in: "app.example.com", wantError: true},
		{in: "https://app.example.com/", wantError: true},
		{in: "https://app.example.com/path", wantError: true},
		{in: "https://user@app.example.com", wantError: true},
		{in: "https://app.*.example.com", wantError: true},
		{in: "https://*example.com", wantError: true},
		{in: "https://*.com", wantError: true},
		{in: "https://*", wantError: true},
		{in: "https://a..b", wantError: true},
		{in: "https://app.example.com:0", wantError: true},
		{in: "https://app.example.com:99999", wantError: true},
		{in: "https://app.example.com:", wantError: true},
		{in: "1http://x.com", wantError: true},
		{in: "http://[zz]:80", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			exact, p, err := parseOrigin(tt.in)
			if (err != nil) != tt.wantError {
				t.Fatalf("err = %v, want error %v", err, tt.wantError)
			}
			if err != nil {
				return
			}
			if exact != tt.exact {
				t.Errorf("exact = %q, want %q", exact, tt.exact)
			}
			if (p == nil) != (tt.pattern == nil) || p != nil && *p != *tt.pattern {
				t.Errorf("pattern = %+v, want %+v", p, tt.pattern)
			}
		})
	}
}

func TestOriginMatching(t *testing.T) {
	set, err := compileOrigins([]string{"https://app.example.com", "https://*.example.org", "http://*.dev.example.net:8080"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		origin string
		want   bool
	}{
		{"https://app.example.com", true},
		{"http://app.example.com", false},
		{"https://app.example.com:8443", false},
		{"https://app.example.com.evil.com", false},
		{"https://APP.example.com", false}, // browsers serialise origins in lower case
		{"https://a.example.org", true},
		{"https://a.b.example.org", true},
		{"https://example.org", false},
		{"https://.example.org", false},
		{"https://evil-example.org", false},
		{"https://evilexample.org", false},
		{"https://a.example.org:443", false},
		{"https://a.example.org/", false},
		{"https://evil.com/.example.org", false},
		{"https://evil.com?.example.org", false},
		{"https://evil.com#.example.org", false},
		{"https://user@x.example.org", false},
		{"https://a..example.org", false},
		{"http://a.example.org", false},
		{"http://x.dev.example.net:8080", true},
		{"http://x.dev.example.net", false},
		{"http://x.dev.example.net:80800", false},
		{"null", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := set.allowed(tt.origin); got != tt.want {
			t.Errorf("allowed(%q) = %v, want %v", tt.origin, got, tt.want)
		}
	}
}

// FuzzOriginMatch checks that a wildcard pattern only ever admits origins
// made of the pattern's scheme, whole extra DNS labels, its domain and port.
func FuzzOriginMatch(f *testing.F) {
	for _, s := range []string{"https://a.example.org", "https://evil.com/.example.org", "https://a..example.org", "https://x.example.org:1", "null", ""} {
		f.Add(s)
	}
	set, err := compileOrigins([]string{"https://*.example.org", "https://app.example.com"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, origin string) {
		if !set.allowed(origin) || origin == "https://app.example.com" {
			return
		}
		host, ok := strings.CutPrefix(origin, "https://")
		if !ok {
			t.Fatalf("%q admitted without the scheme", origin)
		}
		sub, ok := strings.CutSuffix(host, ".example.org")
		if !ok || sub == "" || strings.ContainsAny(sub, "/?#@:[] \t\r\n%\\") || strings.Contains(sub, "..") || sub[0] == '.' || sub[len(sub)-1] == '.' {
			t.Fatalf("%q admitted by https://*.example.org", origin)
		}
	})
}

// FuzzParseOrigin checks that configuration parsing never panics and that
// every accepted exact origin is canonical (parses to itself).
func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{"*", "https://*.a.b", "http://[::1]:80", "HTTP://X.Y:443", "a://b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		exact, _, err := parseOrigin(s)
		if err != nil || exact == "" {
			return
		}
		again, _, err := parseOrigin(exact)
		if err != nil || again != exact {
			t.Fatalf("%q -> %q -> %q, %v", s, exact, again, err)
		}
	})
}
