package redisstore

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/internal/testclock"
)

// scans returns how many SCAN commands the server has run.
func scans(t *testing.T, c redis.UniversalClient) int {
	t.Helper()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(info) {
		rest, ok := strings.CutPrefix(line, "cmdstat_scan:calls=")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest[:strings.IndexByte(rest, ',')])
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return 0
}

// present returns the keys of keys that hold an entry.
func present(t *testing.T, s *CacheStore, keys []string) []string {
	t.Helper()
	var out []string
	for _, k := range keys {
		e, err := s.Get(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if e != nil {
			out = append(out, k)
		}
	}
	return out
}

func TestCacheStoreDeletePrefix(t *testing.T) {
	keys := []string{
		"GET /a\x00s1", "GET /a\x00s2", "GET /a\x00s1\x00Vgzip", "GET /a\x00s1\x00Vbr", // /a: a key, its variants
		"GET /a", "GET /ab\x00s1", "GET /a/b\x00s1", "POST /a\x00s1", "GET /b\x00s1", // others
		"GET /a*\x00s1", "GET /a[1]\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", "", // glob and tag characters
	}
	tests := []struct {
		prefix string
		kept   []string
		scan   bool
	}{
		{"GET /a\x00", []string{"GET /a", "GET /ab\x00s1", "GET /a/b\x00s1", "POST /a\x00s1", "GET /b\x00s1", "GET /a*\x00s1", "GET /a[1]\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", ""}, false},
		{"GET /a\x00s1", []string{"GET /a\x00s2", "GET /a", "GET /ab\x00s1", "GET /a/b\x00s1", "POST /a\x00s1", "GET /b\x00s1", "GET /a*\x00s1", "GET /a[1]\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", ""}, false},
		{"GET /a\x00s1\x00V", []string{"GET /a\x00s1", "GET /a\x00s2", "GET /a", "GET /ab\x00s1", "GET /a/b\x00s1", "POST /a\x00s1", "GET /b\x00s1", "GET /a*\x00s1", "GET /a[1]\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", ""}, false},
		{"GET /a*\x00", []string{"GET /a\x00s1", "GET /a\x00s2", "GET /a\x00s1\x00Vgzip", "GET /a\x00s1\x00Vbr", "GET /a", "GET /ab\x00s1", "GET /a/b\x00s1", "POST /a\x00s1", "GET /b\x00s1", "GET /a[1]\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", ""}, false},
		{"GET /{x}\x00", []string{"GET /a\x00s1", "GET /a\x00s2", "GET /a\x00s1\x00Vgzip", "GET /a\x00s1\x00Vbr", "GET /a", "GET /ab\x00s1", "GET /a/b\x00s1", "POST /a\x00s1", "GET /b\x00s1", "GET /a*\x00s1", "GET /a[1]\x00s1", "GET /}\x00s1", ""}, false},
		{"GET /a", []string{"POST /a\x00s1", "GET /b\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", ""}, true},
		{"GET /a/", []string{"GET /a\x00s1", "GET /a\x00s2", "GET /a\x00s1\x00Vgzip", "GET /a\x00s1\x00Vbr", "GET /a", "GET /ab\x00s1", "POST /a\x00s1", "GET /b\x00s1", "GET /a*\x00s1", "GET /a[1]\x00s1", "GET /{x}\x00s1", "GET /}\x00s1", ""}, true},
		{"", nil, true},
	}
	s, _, log := newCacheStore(t, CacheConfig{})
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(strconv.Quote(tt.prefix), func(t *testing.T) {
			for i, k := range keys {
				if err := s.Set(ctx, k, entry(strconv.Itoa(i)), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			before := scans(t, s.client)
			if err := s.DeletePrefix(ctx, tt.prefix); err != nil {
				t.Fatal(err)
			}
			if scanned := scans(t, s.client) > before; scanned != tt.scan {
				t.Errorf("scanned the keyspace: %v, want %v", scanned, tt.scan)
			}
			if got := present(t, s, keys); !slices.Equal(got, tt.kept) {
				t.Errorf("kept %q\nwant %q", got, tt.kept)
			}
			if tt.prefix == "GET /a\x00" {
				if n := s.client.Exists(ctx, s.indexKey("GET /a")).Val(); n != 0 {
					t.Error("the index of a purged resource is left")
				}
			}
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
	if n := s.client.DBSize(ctx).Val(); n != 0 {
		t.Errorf("%d keys left after Flush", n)
	}
	if ops := log.list(); len(ops) != 0 {
		t.Errorf("errors reported: %v", ops)
	}
}

// TestCacheStoreIndexLifetime checks that an index lives as long as the
// longest-lived entry it lists, that a write drops the entries that have
// expired from it, and that Delete takes an entry out of it.
func TestCacheStoreIndexLifetime(t *testing.T) {
	s, _, _ := newCacheStore(t, CacheConfig{})
	ctx := context.Background()
	idx := s.indexKey("GET /a")
	// An entry listed as expired a second after the epoch.
	s.client.ZAdd(ctx, idx, redis.Z{Score: 1000, Member: s.entryKey("GET /a\x00gone")})
	_ = s.Set(ctx, "GET /a\x00long", entry("x"), time.Hour)
	_ = s.Set(ctx, "GET /a\x00short", entry("x"), time.Minute)
	if ttl := s.client.PTTL(ctx, idx).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("index TTL %v, want the longest entry's hour", ttl)
	}
	if n := s.client.ZCard(ctx, idx).Val(); n != 2 {
		t.Errorf("index lists %d entries, want 2", n)
	}
	if err := s.Delete(ctx, "GET /a\x00long"); err != nil {
		t.Fatal(err)
	}
	if got := s.client.ZRange(ctx, idx, 0, -1).Val(); !slices.Equal(got, []string{s.entryKey("GET /a\x00short")}) {
		t.Errorf("index after Delete: %q", got)
	}
	if got := present(t, s, []string{"GET /a\x00long", "GET /a\x00short"}); !slices.Equal(got, []string{"GET /a\x00short"}) {
		t.Errorf("entries after Delete: %q", got)
	}
}

// TestCacheWriteInvalidatesWithoutScan runs the cache on a Redis that
// holds many other keys: a successful write removes every variant of its
// path, and nothing else, without a SCAN. With Redis gone the write is
// still answered, and once Redis is back invalidation works again.
func TestCacheWriteInvalidatesWithoutScan(t *testing.T) {
	s, srv, _ := newCacheStore(t, CacheConfig{})
	ctx := context.Background()
	pipe := s.client.Pipeline()
	for i := range 5000 {
		pipe.Set(ctx, "unrelated:"+strconv.Itoa(i), "v", 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Vary", "Accept-Encoding")
		_, _ = w.Write([]byte(r.Method + " " + r.URL.Path + " " + r.Header.Get("Accept-Encoding") + " " + strconv.FormatInt(n, 10)))
	})
	clk := testclock.New(time.Now())
	c, err := cache.New(cache.WithStore(s), cache.Now(clk.Now), cache.StoreBackoff(time.Second), cache.TTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	h := c.Handler(upstream)
	do := func(method, path, enc string) (int, string) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(method, path, nil)
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		h.ServeHTTP(rec, r)
		return rec.Code, rec.Header().Get(cache.HeaderXCache)
	}
	type req struct{ path, enc string }
	reqs := []req{{"/items/1", "gzip"}, {"/items/1", "br"}, {"/items/1", ""}, {"/items/10", "gzip"}, {"/items/1/parts", "gzip"}, {"/items/2", ""}}
	fill := func() {
		t.Helper()
		for _, q := range reqs {
			do("GET", q.path, q.enc)
			if _, xc := do("GET", q.path, q.enc); xc != cache.StatusHit {
				t.Fatalf("GET %s (%s) after a fill: %s", q.path, q.enc, xc)
			}
		}
	}
	fill()
	before := scans(t, s.client)
	if code, _ := do("POST", "/items/1", ""); code != 200 {
		t.Fatalf("POST: %d", code)
	}
	if n := scans(t, s.client) - before; n != 0 {
		t.Errorf("a write ran %d SCANs", n)
	}
	for _, q := range reqs {
		want := cache.StatusHit
		if q.path == "/items/1" {
			want = cache.StatusMiss
		}
		if _, xc := do("HEAD", q.path, q.enc); xc != want {
			t.Errorf("HEAD %s (%s) after the write: %s, want %s", q.path, q.enc, xc, want)
		}
	}

	srv.Stop()
	if code, _ := do("PUT", "/items/2", ""); code != 200 {
		t.Fatalf("PUT with Redis gone: %d", code)
	}
	if code, xc := do("GET", "/items/2", ""); code != 200 || xc != cache.StatusMiss {
		t.Fatalf("GET with Redis gone: %d %s", code, xc)
	}
	srv.Start()
	clk.Advance(2 * time.Second)
	fill()
	before = scans(t, s.client)
	if code, _ := do("DELETE", "/items/2", ""); code != 200 {
		t.Fatalf("DELETE: %d", code)
	}
	if _, xc := do("GET", "/items/2", ""); xc != cache.StatusMiss {
		t.Errorf("GET /items/2 after DELETE with Redis back: %s", xc)
	}
	if _, xc := do("GET", "/items/1", "gzip"); xc != cache.StatusHit {
		t.Errorf("GET /items/1 after DELETE /items/2: %s", xc)
	}
	if n := scans(t, s.client) - before; n != 0 {
		t.Errorf("a write ran %d SCANs", n)
	}
}

// TestCacheStoreCluster runs the store on Redis Cluster, which refuses a
// script that touches keys of another slot than the keys it was given.
func TestCacheStoreCluster(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	for _, prefix := range []string{"", "cache:{shared}:", "x{"} {
		t.Run(prefix, func(t *testing.T) {
			var errs []string
			s, err := NewCacheStore(c, CacheConfig{Prefix: prefix, Timeout: time.Second,
				OnError: func(op string, err error) { errs = append(errs, op+": "+err.Error()) }})
			if err != nil {
				t.Fatal(err)
			}
			keys := []string{"GET /a\x00s1", "GET /a\x00s1\x00Vgzip", "GET /a\x00s2", "GET /a/b\x00s1", "GET /}{\x00s1", "GET /b\x00s1"}
			for _, k := range keys {
				if err := s.Set(ctx, k, entry(k), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			if got := present(t, s, keys); !slices.Equal(got, keys) {
				t.Fatalf("stored %q", got)
			}
			_ = s.DeletePrefix(ctx, "GET /a\x00s1")
			_ = s.Delete(ctx, "GET /b\x00s1")
			if got := present(t, s, keys); !slices.Equal(got, []string{"GET /a\x00s2", "GET /a/b\x00s1", "GET /}{\x00s1"}) {
				t.Fatalf("after purging a key and deleting one: %q", got)
			}
			_ = s.DeletePrefix(ctx, "GET /}{\x00")
			_ = s.DeletePrefix(ctx, "GET /a/")
			if got := present(t, s, keys); !slices.Equal(got, []string{"GET /a\x00s2"}) {
				t.Fatalf("after purging a path and a subtree: %q", got)
			}
			_ = s.Flush(ctx)
			if got := present(t, s, keys); len(got) != 0 {
				t.Fatalf("after Flush: %q", got)
			}
			if len(errs) != 0 {
				t.Errorf("errors: %q", errs)
			}
		})
	}
}
