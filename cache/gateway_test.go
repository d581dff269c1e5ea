package cache_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/internal/testclock"
)

// TestThroughGateway runs the cache on the routes of a real gateway that
// proxies to a real upstream over loopback.
func TestThroughGateway(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	clk := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	c, err := cache.New(cache.Now(clk.Now), cache.KeyQuery("fields"))
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var statuses []string
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			mu.Lock()
			statuses = append(statuses, reqctx.From(r.Context()).CacheStatus)
			mu.Unlock()
		})
	})
	users := gw.Upstream("users", up.URL)
	gw.GET("/users/:id").Use(c.Middleware(cache.TTL(time.Hour))).Proxy(users, "/internal/users/:id")
	gw.PUT("/users/:id").Use(c.Handler).Proxy(users, "/internal/users/:id")
	gw.GET("/news").Use(c.Middleware(cache.TTL(10*time.Second))).Proxy(users, "/news")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)

	first := client.Get("/users/42?fields=name&debug=1").ExpectStatus(200)
	if first.Header.Get("X-Cache") != "Miss" {
		t.Fatalf("first: X-Cache %q", first.Header.Get("X-Cache"))
	}
	var echo gatewaytest.Echo
	first.JSON(&echo)
	if echo.Query != "fields=name" || echo.Path != "/internal/users/42" {
		t.Errorf("upstream saw path %q query %q; only keyed parameters go upstream", echo.Path, echo.Query)
	}
	clk.Advance(30 * time.Second)
	second := client.Get("/users/42?debug=2&fields=name").ExpectStatus(200)
	if second.Header.Get("X-Cache") != "Hit" || second.Header.Get("Age") != "30" || string(second.Body) != string(first.Body) {
		t.Errorf("second: X-Cache %q Age %q", second.Header.Get("X-Cache"), second.Header.Get("Age"))
	}
	if second.Header.Get("X-Request-Id") == first.Header.Get("X-Request-Id") {
		t.Error("a hit replays the request ID of the request that filled the entry")
	}
	if n := up.Count(); n != 1 {
		t.Errorf("upstream calls = %d, want 1", n)
	}

	// Per-route TTL: /news expires after 10 s, /users/42 does not.
	client.Get("/news").ExpectStatus(200)
	clk.Advance(11 * time.Second)
	if got := client.Get("/news").Header.Get("X-Cache"); got != "Miss" {
		t.Errorf("/news after its TTL: %q", got)
	}
	if got := client.Get("/users/42?fields=name").Header.Get("X-Cache"); got != "Hit" {
		t.Errorf("/users/42 within its TTL: %q", got)
	}

	// A successful PUT through the cache removes the entries of its path.
	client.Request("PUT", "/users/42", `{"name":"x"}`, "Content-Type", "application/json").ExpectStatus(200)
	if got := client.Get("/users/42?fields=name").Header.Get("X-Cache"); got != "Miss" {
		t.Errorf("after PUT: %q", got)
	}

	// Client-side invalidation is ignored by default, and said so.
	inv := client.Get("/users/42?fields=name", "Cache-Control", "max-age=0")
	if inv.Header.Get("X-Cache") != "Hit" || inv.Header.Get(cache.HeaderInvalidation) != "ignored" {
		t.Errorf("max-age=0: X-Cache %q, %s %q", inv.Header.Get("X-Cache"), cache.HeaderInvalidation, inv.Header.Get(cache.HeaderInvalidation))
	}

	mu.Lock()
	defer mu.Unlock()
	want := "miss hit miss miss hit  miss hit"
	if got := strings.Join(statuses, " "); got != want {
		t.Errorf("Info.CacheStatus of the requests: %q, want %q", got, want)
	}
}

// TestGatewayReportsRouteMistakes checks that a misconfigured route cache
// fails the build, not the requests.
func TestGatewayReportsRouteMistakes(t *testing.T) {
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	gw := gateway.New()
	defer gw.Close()
	gw.GET("/slow").Use(c.Middleware(cache.TTL(2*time.Hour))).Mock(200, "x")
	err = gw.Build()
	if err == nil || !strings.Contains(err.Error(), "TTL") || !strings.Contains(err.Error(), "/slow") {
		t.Fatalf("Build() = %v", err)
	}
}

// TestChunkedUpstreamThroughGateway checks that a response without
// Content-Length, which the gateway's reverse proxy flushes after every
// write, reaches concurrent first clients whole and is then served from
// the cache.
func TestChunkedUpstreamThroughGateway(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	release := make(chan struct{})
	up.Handle(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		for i := range 4 {
			_, _ = w.Write([]byte(strings.Repeat(string(rune('a'+i)), 1500)))
			_ = http.NewResponseController(w).Flush()
		}
	}))
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/big").Use(c.Handler).Proxy(gw.Upstream("up", up.URL), "/big")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	get := func() (string, string) {
		resp, err := srv.Client().Get(srv.URL + "/big")
		if err != nil {
			t.Error(err)
			return "", ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.Header.Get("X-Cache"), string(body)
	}
	want := strings.Repeat("a", 1500) + strings.Repeat("b", 1500) + strings.Repeat("c", 1500) + strings.Repeat("d", 1500)
	var wg sync.WaitGroup
	results := make([][2]string, 4)
	for i := range results {
		wg.Go(func() {
			xc, body := get()
			results[i] = [2]string{xc, body}
		})
	}
	for up.Count() == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	for i, res := range results {
		if res[1] != want {
			t.Errorf("response %d: %d bytes", i, len(res[1]))
		}
	}
	if xc, body := get(); xc != "Hit" || body != want {
		t.Errorf("after the miss: X-Cache %q, %d bytes", xc, len(body))
	}
}

// TestStaleWhenUpstreamIsDown stops the upstream of a gateway route: the
// proxy's 502 is replaced by the expired entry.
func TestStaleWhenUpstreamIsDown(t *testing.T) {
	up := gatewaytest.NewUpstream(t)
	up.Respond(200, "stored answer")
	clk := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	c, err := cache.New(cache.Now(clk.Now), cache.TTL(time.Minute), cache.StaleIfError(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/a").Use(c.Handler).Proxy(gw.Upstream("up", up.URL), "/a")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	client.Get("/a").ExpectStatus(200)
	up.Close()
	client.Get("/a").ExpectStatus(200) // fresh
	clk.Advance(2 * time.Minute)
	stale := client.Get("/a").ExpectStatus(200)
	if stale.Header.Get("X-Cache") != "Stale" || string(stale.Body) != "stored answer" || stale.Header.Get("Age") != "120" {
		t.Errorf("X-Cache %q Age %q body %q", stale.Header.Get("X-Cache"), stale.Header.Get("Age"), stale.Body)
	}
	clk.Advance(time.Hour)
	client.Get("/a").ExpectStatus(502)
}

// TestAbandonedRequestThroughGateway checks, with the gateway's real
// reverse proxy, that a client that leaves while its miss is upstream
// does not leave an empty response in the cache for everyone.
func TestAbandonedRequestThroughGateway(t *testing.T) {
	entered := make(chan struct{})
	var once sync.Once
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first := false
		once.Do(func() { first = true })
		if first {
			close(entered)
			<-r.Context().Done()
			return
		}
		_, _ = io.WriteString(w, "fresh")
	}))
	defer up.Close()
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/slow").Use(c.Handler).Proxy(gw.Upstream("up", up.URL), "/slow")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		client.Do(httptest.NewRequest("GET", "/slow", nil).WithContext(ctx))
	}()
	<-entered
	cancel()
	<-done
	r := client.Get("/slow")
	if r.Status != 200 || string(r.Body) != "fresh" || r.Header.Get("X-Cache") != "Miss" {
		t.Fatalf("after an abandoned request: %d X-Cache=%q %q, want 200 Miss \"fresh\"", r.Status, r.Header.Get("X-Cache"), r.Body)
	}
}

// TestCompressedWithoutVaryThroughGateway has an upstream that compresses
// for clients that accept gzip and forgets Vary: a client that does not
// accept gzip must never receive the compressed body from the cache.
func TestCompressedWithoutVaryThroughGateway(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = io.WriteString(zw, "hello")
			_ = zw.Close()
			return
		}
		_, _ = io.WriteString(w, "hello")
	}))
	defer up.Close()
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/greeting").Use(c.Handler).Proxy(gw.Upstream("up", up.URL), "/greeting")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	if r := client.Get("/greeting", "Accept-Encoding", "gzip"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip client: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	for range 2 {
		r := client.Get("/greeting")
		if r.Header.Get("Content-Encoding") != "" || string(r.Body) != "hello" {
			t.Fatalf("client without gzip: Content-Encoding %q, X-Cache %s, body %q", r.Header.Get("Content-Encoding"), r.Header.Get("X-Cache"), r.Body)
		}
	}
}
