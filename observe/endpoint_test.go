package observe

import (
	"net/url"
	"testing"

	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// FuzzEndpoint checks that the remembered endpoint of a URL gives the same
// url.full, server.address and server.port as working them out from the
// whole URL.
func FuzzEndpoint(f *testing.F) {
	for _, s := range []string{
		"http://users.internal:8080/users/42?token=secret#x",
		"https://user:pw@[::1]:8443/a%2Fb/c?q",
		"http://example.com",
		"http://example.com:http/x",
		"http://ex%41mple.com/ü",
		"mailto:someone@example.com",
	} {
		f.Add(s, "/other/path")
	}
	f.Fuzz(func(t *testing.T, raw, path string) {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return
		}
		var es endpoints
		first := es.get(u)
		// A second URL on the same host reuses the first one's endpoint.
		v := *u
		v.Path, v.RawPath = path, ""
		for _, w := range []*url.URL{u, &v} {
			e := es.get(w)
			if e != first {
				t.Fatalf("endpoint of %q not reused", w)
			}
			if got, want := e.fullURL(w), redactedURL(w); got != want {
				t.Errorf("url.full of %q: %q, want %q", w, got, want)
			}
			want := newEndpoint(w)
			if e.attrs != want.attrs || e.n != want.n {
				t.Errorf("attributes of %q: %v, want %v", w, e.attrs[:e.n], want.attrs[:want.n])
			}
			if e.attrs[0] != semconv.ServerAddress(w.Hostname()) {
				t.Errorf("server.address of %q: %v", w, e.attrs[0])
			}
		}
	})
}

func TestEndpointsBounded(t *testing.T) {
	var es endpoints
	for i := range maxEndpoints + 10 {
		u := &url.URL{Scheme: "http", Host: "h" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ":80"}
		if e := es.get(u); e.prefix != "http://"+u.Host || e.n != 2 {
			t.Fatalf("endpoint %+v", e)
		}
	}
	if m := es.m.m.Load(); m == nil || len(*m) != maxEndpoints {
		t.Fatalf("remembered %d endpoints, want %d", len(*es.m.m.Load()), maxEndpoints)
	}
}
