package cache

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// sink is a ResponseWriter that keeps nothing, so that benchmarks and
// allocation guards measure the cache and not the recorder. Its header map
// is cleared, not replaced, between requests, as a server reuses its own.
type sink struct {
	h      http.Header
	status int
	n      int
}

func newSink() *sink { return &sink{h: make(http.Header)} }

func (s *sink) Header() http.Header         { return s.h }
func (s *sink) WriteHeader(code int)        { s.status = code }
func (s *sink) Write(p []byte) (int, error) { s.n += len(p); return len(p), nil }
func (s *sink) reset()                      { clear(s.h); s.status, s.n = 0, 0 }

// jsonUser is an upstream answering with a small JSON document.
var jsonUser = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Etag", `"u42"`)
	_, _ = w.Write([]byte(`{"id":42,"name":"Ada Lovelace","email":"ada@example.com"}`))
})

func benchCache(b *testing.B, opts ...Option) http.Handler {
	b.Helper()
	c, err := New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	return c.Handler(jsonUser)
}

// BenchmarkCacheHit measures the whole middleware on a hit: key, lookup,
// and the stored response written out.
func BenchmarkCacheHit(b *testing.B) {
	h := benchCache(b, KeyQuery("fields"))
	r := httptest.NewRequest("GET", "/users/42?fields=name", nil)
	w := newSink()
	h.ServeHTTP(w, r)
	b.ReportAllocs()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, r)
	}
	if w.status != http.StatusOK || w.h.Get(HeaderXCache) != StatusHit {
		b.Fatalf("status %d, X-Cache %q", w.status, w.h.Get(HeaderXCache))
	}
}

// BenchmarkCacheMiss measures a miss that calls upstream and stores the
// response: every iteration asks for a new key.
func BenchmarkCacheMiss(b *testing.B) {
	h := benchCache(b, KeyQuery("n"))
	w := newSink()
	reqs := make([]*http.Request, 1024)
	for i := range reqs {
		reqs[i] = httptest.NewRequest("GET", "/users/42?n="+strconv.Itoa(i), nil)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		w.reset()
		// Each round of keys is made new by a different path.
		r := reqs[i%len(reqs)]
		if i%len(reqs) == 0 {
			for _, r := range reqs {
				r.URL.Path = "/users/" + strconv.Itoa(i)
			}
		}
		h.ServeHTTP(w, r)
		i++
	}
	if w.status != http.StatusOK || w.h.Get(HeaderXCache) != StatusMiss {
		b.Fatalf("status %d, X-Cache %q", w.status, w.h.Get(HeaderXCache))
	}
}

// TestHitDoesNotAllocate guards the hit path: the key is built in a pooled
// buffer and the stored header values are shared, not copied.
func TestHitDoesNotAllocate(t *testing.T) {
	c, _ := newTestCache(t, KeyQuery("fields"), KeyHeaders("Accept"))
	h := c.Handler(jsonUser)
	for _, target := range []string{"/users/42", "/users/42?fields=name&x=1"} {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Accept", "application/json")
		w := newSink()
		h.ServeHTTP(w, r)
		allocs := testing.AllocsPerRun(100, func() {
			w.reset()
			h.ServeHTTP(w, r)
		})
		if w.h.Get(HeaderXCache) != StatusHit {
			t.Fatalf("%s: not a hit", target)
		}
		if allocs > 0 {
			t.Errorf("%s: a hit allocates %.1f times", target, allocs)
		}
	}
}
