package redisstore

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/internal/testclock"
)

// TestCacheMustRevalidateNeverStaleAcrossInstances shares a store between
// two instances whose clocks differ, as the clocks of separate machines
// do: the instance ahead sees an entry expire while Redis still holds it.
// An entry its upstream marked must-revalidate (or proxy-revalidate) must
// not be served stale there either, whatever StaleIfError allows.
func TestCacheMustRevalidateNeverStaleAcrossInstances(t *testing.T) {
	for _, directive := range []string{"must-revalidate", "proxy-revalidate"} {
		t.Run(directive, func(t *testing.T) {
			s, _, _ := newCacheStore(t, CacheConfig{})
			var failing atomic.Bool
			var calls atomic.Int64
			upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				if failing.Load() {
					w.WriteHeader(http.StatusBadGateway)
					return
				}
				w.Header().Set("Cache-Control", "max-age=60, "+directive)
				_, _ = w.Write([]byte("call " + strconv.FormatInt(n, 10)))
			})
			now := time.Now()
			newInstance := func(clk *testclock.Clock) http.Handler {
				c, err := cache.New(cache.WithStore(s), cache.Now(clk.Now), cache.StaleIfError(time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = c.Close() })
				return c.Handler(upstream)
			}
			// The second instance's clock is 70 s ahead: it finds the entry
			// 10 s past its lifetime, while Redis keeps it for 60 s of its
			// own time.
			behind, ahead := newInstance(testclock.New(now)), newInstance(testclock.New(now.Add(70*time.Second)))
			get := func(h http.Handler) *httptest.ResponseRecorder {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/users/1", nil))
				return rec
			}
			if rec := get(behind); rec.Header().Get(cache.HeaderXCache) != cache.StatusMiss {
				t.Fatalf("first GET: %s", rec.Header().Get(cache.HeaderXCache))
			}
			failing.Store(true)
			rec := get(ahead)
			if rec.Code != http.StatusBadGateway || rec.Header().Get(cache.HeaderXCache) == cache.StatusStale {
				t.Errorf("expired %s entry: %d %s %q, want the upstream's 502", directive, rec.Code, rec.Header().Get(cache.HeaderXCache), rec.Body)
			}
		})
	}
}
