package redisstore

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/internal/redistest"
	"github.com/gatewaykit/gateway/internal/testclock"
)

// newCacheStore starts a redis-server and returns a store on it, the
// server, and the errors the store reported.
func newCacheStore(t *testing.T, cfg CacheConfig) (*CacheStore, *redistest.Server, *errorLog) {
	t.Helper()
	srv := redistest.Start(t)
	client := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), ContextTimeoutEnabled: true,
		DialTimeout: 100 * time.Millisecond, MaxRetries: -1,
	})
	t.Cleanup(func() { _ = client.Close() })
	log := new(errorLog)
	cfg.OnError = log.add
	s, err := NewCacheStore(client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, srv, log
}

type errorLog struct {
	mu  sync.Mutex
	ops []string
}

func (l *errorLog) add(op string, err error) {
	l.mu.Lock()
	l.ops = append(l.ops, op)
	l.mu.Unlock()
}

func (l *errorLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops)
}

func entry(body string) *cache.Entry {
	now := time.Now()
	return cache.NewEntry(200, http.Header{"Content-Type": {"text/plain"}, "Etag": {`"1"`}}, []byte(body), now, now.Add(time.Minute))
}

func TestCacheStoreRoundTrip(t *testing.T) {
	s, _, log := newCacheStore(t, CacheConfig{})
	ctx := context.Background()
	// Keys hold NULs and glob characters, as cache keys may.
	keys := []string{"GET /a\x00x", "GET /a\x00y", "GET /a*\x00z", "GET /a[1]\x00z", "GET /b\x00x"}
	for i, k := range keys {
		if err := s.Set(ctx, k, entry("body "+strconv.Itoa(i)), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		e, err := s.Get(ctx, k)
		if err != nil || e == nil || string(e.Body()) != "body "+strconv.Itoa(i) || e.Header().Get("Etag") != `"1"` {
			t.Fatalf("Get(%q) = %v, %v", k, e, err)
		}
	}
	if e, err := s.Get(ctx, "GET /none\x00"); e != nil || err != nil {
		t.Fatalf("absent key: %v, %v", e, err)
	}
	if ttl := s.client.PTTL(ctx, s.entryKey(keys[0])).Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("TTL in Redis = %v", ttl)
	}

	// "GET /a*" must not match as a glob.
	if err := s.DeletePrefix(ctx, "GET /a*\x00"); err != nil {
		t.Fatal(err)
	}
	present := func() []string {
		var out []string
		for _, k := range keys {
			if e, _ := s.Get(ctx, k); e != nil {
				out = append(out, k)
			}
		}
		return out
	}
	if got := present(); len(got) != 4 || slices.Contains(got, keys[2]) {
		t.Fatalf("after purging a glob-like prefix: %q", got)
	}
	if err := s.DeletePrefix(ctx, "GET /a"); err != nil {
		t.Fatal(err)
	}
	if got := present(); !slices.Equal(got, []string{"GET /b\x00x"}) {
		t.Fatalf("after purging GET /a: %q", got)
	}
	if err := s.Delete(ctx, "GET /b\x00x"); err != nil {
		t.Fatal(err)
	}
	if got := present(); len(got) != 0 {
		t.Fatalf("after Delete: %q", got)
	}
	if ops := log.list(); len(ops) != 0 {
		t.Errorf("errors reported: %v", ops)
	}
}

func TestCacheStoreFlushKeepsOtherKeys(t *testing.T) {
	s, _, _ := newCacheStore(t, CacheConfig{Prefix: "one:"})
	ctx := context.Background()
	other, _ := NewCacheStore(s.client, CacheConfig{Prefix: "two:"})
	for i := range 2500 { // more than one SCAN batch
		_ = s.Set(ctx, "GET /k\x00"+strconv.Itoa(i), entry("x"), time.Minute)
	}
	_ = other.Set(ctx, "GET /k\x001", entry("kept"), time.Minute)
	s.client.Set(ctx, "unrelated", "v", 0)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.client.DBSize(ctx).Val(); n != 3 { // the other entry, its index, "unrelated"
		t.Errorf("%d keys left, want 3", n)
	}
	if e, _ := other.Get(ctx, "GET /k\x001"); e == nil || string(e.Body()) != "kept" {
		t.Errorf("entry of another prefix: %v", e)
	}
}

func TestCacheStoreCorruptValueIsAMiss(t *testing.T) {
	s, _, log := newCacheStore(t, CacheConfig{})
	ctx := context.Background()
	for _, v := range []string{"", "not an entry", "gkc\x01\xff\xff"} {
		s.client.Set(ctx, s.entryKey("k"), v, 0)
		if e, err := s.Get(ctx, "k"); e != nil || err != nil {
			t.Errorf("%q: %v, %v", v, e, err)
		}
	}
	if ops := log.list(); len(ops) != 3 || ops[0] != "decode" {
		t.Errorf("reported %v", ops)
	}
}

func TestNewCacheStoreErrors(t *testing.T) {
	if _, err := NewCacheStore(nil, CacheConfig{}); err == nil {
		t.Error("nil client accepted")
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer client.Close()
	if _, err := NewCacheStore(client, CacheConfig{Timeout: -1}); err == nil {
		t.Error("negative timeout accepted")
	}
	if _, err := NewCacheStore(client, CacheConfig{Prefix: "cache:{}:"}); err == nil {
		t.Error("empty hash tag accepted")
	}
}

// TestCacheSharedAndDegrading runs two caches, as two gateway instances
// would, on one Redis: a response stored by one is a hit on the other.
// When Redis goes away every request is still answered 200 from upstream,
// and once it is back the caches use it again.
func TestCacheSharedAndDegrading(t *testing.T) {
	s, srv, log := newCacheStore(t, CacheConfig{})
	var calls atomic.Int64
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_, _ = w.Write([]byte("call " + strconv.FormatInt(n, 10)))
	})
	clk := testclock.New(time.Now())
	var cacheErrs atomic.Int64
	newInstance := func() http.Handler {
		c, err := cache.New(cache.WithStore(s), cache.Now(clk.Now), cache.StoreBackoff(time.Second),
			cache.OnError(func(string, error) { cacheErrs.Add(1) }))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c.Handler(upstream)
	}
	a, b := newInstance(), newInstance()
	get := func(h http.Handler) (int, string, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/users/1", nil))
		return rec.Code, rec.Header().Get(cache.HeaderXCache), rec.Body.String()
	}
	check := func(h http.Handler, wantCache, wantBody string) {
		t.Helper()
		code, xc, body := get(h)
		if code != 200 || xc != wantCache || body != wantBody {
			t.Fatalf("got %d %s %q, want 200 %s %q", code, xc, body, wantCache, wantBody)
		}
	}
	check(a, cache.StatusMiss, "call 1")
	check(b, cache.StatusHit, "call 1")

	srv.Stop()
	check(b, cache.StatusMiss, "call 2") // lookup fails: a miss, store paused
	check(b, cache.StatusMiss, "call 3") // paused: Redis is not asked
	check(a, cache.StatusMiss, "call 4")
	if cacheErrs.Load() != 2 || len(log.list()) != 2 {
		t.Errorf("errors: cache %d, store %v", cacheErrs.Load(), log.list())
	}

	srv.Start()
	clk.Advance(2 * time.Second)
	check(a, cache.StatusMiss, "call 5") // Redis restarted empty
	check(b, cache.StatusHit, "call 5")
}

// TestCacheStoreHungServerTimesOut points the store at a server that
// accepts connections and never answers: a lookup gives up after the
// store's timeout, and the cache answers from upstream.
func TestCacheStoreHungServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	stop := make(chan struct{})
	conns.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() {
				<-stop
				_ = c.Close()
			})
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		close(stop)
		conns.Wait()
	})
	client := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	s, err := NewCacheStore(client, CacheConfig{Timeout: 20 * time.Millisecond, PurgeTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Every per-request operation, the invalidation of a path after a
	// write included, gives up after Timeout, not PurgeTimeout.
	ops := map[string]func() error{
		"get":    func() error { _, err := s.Get(ctx, "GET /a\x00k"); return err },
		"set":    func() error { return s.Set(ctx, "GET /a\x00k", entry("x"), time.Minute) },
		"delete": func() error { return s.Delete(ctx, "GET /a\x00k") },
		"purge":  func() error { return s.DeletePrefix(ctx, "GET /a\x00") },
	}
	for name, op := range ops {
		start := time.Now()
		err := op()
		var ne net.Error
		if !errors.Is(err, context.DeadlineExceeded) && !(errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("%s on a hung server: %v, want a timeout", name, err)
		}
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s on a hung server took %v", name, d)
		}
	}
	c, err := cache.New(cache.WithStore(s))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := httptest.NewRecorder()
	c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("upstream"))
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 200 || rec.Body.String() != "upstream" || rec.Header().Get(cache.HeaderXCache) != cache.StatusMiss {
		t.Errorf("got %d %q %q", rec.Code, rec.Body, rec.Header().Get(cache.HeaderXCache))
	}
}

// BenchmarkCacheHitRedis measures a hit of the cache middleware on a Redis
// store over loopback: one GET round trip and the entry's decoding.
func BenchmarkCacheHitRedis(b *testing.B) {
	srv := redistest.Start(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()
	s, err := NewCacheStore(client, CacheConfig{})
	if err != nil {
		b.Fatal(err)
	}
	c, err := cache.New(cache.WithStore(s))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":42,"name":"Ada Lovelace","email":"ada@example.com"}`))
	}))
	r := httptest.NewRequest("GET", "/users/42", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Header().Get(cache.HeaderXCache) != cache.StatusHit {
			b.Fatal("not a hit")
		}
	}
}

// TestCacheClientGoneDoesNotPauseStore checks that a client that hangs up
// before its lookup completes neither pauses the store for every other
// request nor cuts short the purge of a write it made: a stream of
// abandoned requests must not keep the cache from serving hits.
func TestCacheClientGoneDoesNotPauseStore(t *testing.T) {
	s, _, _ := newCacheStore(t, CacheConfig{})
	var calls atomic.Int64
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		_, _ = w.Write([]byte("call " + strconv.FormatInt(n, 10)))
	})
	clk := testclock.New(time.Now())
	var cacheErrs atomic.Int64
	c, err := cache.New(cache.WithStore(s), cache.Now(clk.Now), cache.StoreBackoff(time.Minute),
		cache.OnError(func(string, error) { cacheErrs.Add(1) }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	h := c.Handler(upstream)
	get := func(ctx context.Context, method string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, method, "/users/1", nil))
		return rec
	}
	if rec := get(context.Background(), "GET"); rec.Header().Get(cache.HeaderXCache) != cache.StatusMiss {
		t.Fatalf("first request: %s", rec.Header().Get(cache.HeaderXCache))
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	get(gone, "GET")
	if rec := get(context.Background(), "GET"); rec.Header().Get(cache.HeaderXCache) != cache.StatusHit {
		t.Errorf("after an abandoned request: %s %q, want a hit", rec.Header().Get(cache.HeaderXCache), rec.Body)
	}
	if n := cacheErrs.Load(); n != 0 {
		t.Errorf("%d store errors reported for a client that left", n)
	}
	// A write whose client leaves as it is answered still purges.
	get(gone, "POST")
	if rec := get(context.Background(), "GET"); rec.Header().Get(cache.HeaderXCache) != cache.StatusMiss {
		t.Errorf("after a successful POST: %s %q, want a miss", rec.Header().Get(cache.HeaderXCache), rec.Body)
	}
	if rec := get(context.Background(), "GET"); rec.Header().Get(cache.HeaderXCache) != cache.StatusHit {
		t.Errorf("after the POST's purge: %s %q, want a hit", rec.Header().Get(cache.HeaderXCache), rec.Body)
	}
	if n := cacheErrs.Load(); n != 0 {
		t.Errorf("%d store errors reported for a write whose client left", n)
	}
}
