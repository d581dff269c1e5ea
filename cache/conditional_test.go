package cache

import (
	"net/http"
	"testing"
)

func TestConditionalFromCache(t *testing.T) {
	const lastMod = "Sat, 01 Mar 2025 10:00:00 GMT"
	tests := []struct {
		name   string
		header http.Header // of the origin response
		req    []string
		want   int
		status int // of the origin response; 0 means 200
		opts   []Option
	}{
		{"etag match", http.Header{"Etag": {`"v1"`}}, []string{"If-None-Match", `"v1"`}, 304, 0, nil},
		{"etag in list", http.Header{"Etag": {`"v1"`}}, []string{"If-None-Match", `"v0", W/"v1"`}, 304, 0, nil},
		{"weak etag", http.Header{"Etag": {`W/"v1"`}}, []string{"If-None-Match", `"v1"`}, 304, 0, nil},
		{"star", http.Header{"Etag": {`"v1"`}}, []string{"If-None-Match", `*`}, 304, 0, nil},
		{"etag differs", http.Header{"Etag": {`"v1"`}}, []string{"If-None-Match", `"v2"`}, 200, 0, nil},
		{"malformed list", http.Header{"Etag": {`"v1"`}}, []string{"If-None-Match", `v1, "v1`}, 200, 0, nil},
		{"no etag", nil, []string{"If-None-Match", `"v1"`}, 200, 0, nil},
		{"not modified since", http.Header{"Last-Modified": {lastMod}}, []string{"If-Modified-Since", lastMod}, 304, 0, nil},
		{"modified since", http.Header{"Last-Modified": {lastMod}}, []string{"If-Modified-Since", "Sat, 01 Mar 2025 09:00:00 GMT"}, 200, 0, nil},
		{"bad date", http.Header{"Last-Modified": {lastMod}}, []string{"If-Modified-Since", "yesterday"}, 200, 0, nil},
		{"if-none-match wins", http.Header{"Etag": {`"v1"`}, "Last-Modified": {lastMod}}, []string{"If-None-Match", `"v2"`, "If-Modified-Since", lastMod}, 200, 0, nil},
		{"stored error is replayed", http.Header{"Etag": {`"v1"`}}, []string{"If-None-Match", `"v1"`}, 404, 404, []Option{CacheStatuses(404)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestCache(t, tt.opts...)
			h := c.Handler(&origin{header: tt.header, status: tt.status})
			// The miss answers the condition from the full response.
			miss := do(h, "GET", "/c", tt.req...)
			hit := do(h, "GET", "/c", tt.req...)
			for _, rec := range []struct {
				name  string
				code  int
				cache string
				body  int
			}{{"miss", miss.Code, miss.Header().Get(HeaderXCache), miss.Body.Len()}, {"hit", hit.Code, hit.Header().Get(HeaderXCache), hit.Body.Len()}} {
				if rec.code != tt.want {
					t.Errorf("%s status %d, want %d", rec.name, rec.code, tt.want)
				}
				if tt.want == 304 && rec.body != 0 {
					t.Errorf("%s 304 has a body", rec.name)
				}
			}
			if hit.Header().Get(HeaderXCache) != StatusHit {
				t.Errorf("second request X-Cache %q", hit.Header().Get(HeaderXCache))
			}
			if tt.want == 304 {
				if hit.Header().Get("Content-Type") != "" || hit.Header().Get("Content-Length") != "" {
					t.Errorf("304 carries representation fields: %v", hit.Header())
				}
				if e := tt.header.Get("Etag"); e != "" && hit.Header().Get("Etag") != e {
					t.Errorf("304 ETag %q", hit.Header().Get("Etag"))
				}
			}
		})
	}
}

func TestConditionalHeadersNotSentUpstreamOnMiss(t *testing.T) {
	c, _ := newTestCache(t)
	var seen []string
	o := &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		seen = append(seen, r.Header.Get("If-None-Match"))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Etag", `"v1"`)
		_, _ = w.Write([]byte("full"))
	}}
	h := c.Handler(o)
	if rec := do(h, "GET", "/c", "If-None-Match", `"v1"`); rec.Code != 304 {
		t.Fatalf("status %d", rec.Code)
	}
	expect(t, do(h, "GET", "/c"), StatusHit, "full")
	if len(seen) != 1 || seen[0] != "" {
		t.Fatalf("upstream saw If-None-Match %q", seen)
	}
}
