// Command caching runs a gateway with a response cache in front of a demo
// backend started in the same process, sends it a few requests and prints
// what the cache did with each: misses, hits with their Age, a 304 from
// the cache, poisoning attempts, a stale answer while the backend fails,
// coalesced concurrent misses, client and programmatic invalidation.
//
//	go run ./examples/caching
//
// With REDIS_ADDR set (host:port), the entries live in that Redis and are
// shared by every gateway using it; without it, or when Redis cannot be
// reached, they live in memory.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/redisstore"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var calls atomic.Int64
	var pricesDown atomic.Bool
	backendURL := startBackend(ctx, &calls, &pricesDown)

	opts := []cache.Option{cache.TTL(5 * time.Minute)}
	if store, closeStore := redisStore(ctx); store != nil {
		defer closeStore()
		opts = append(opts, cache.WithStore(store))
	}
	// Editors may refresh an entry with Cache-Control: max-age=0.
	opts = append(opts, cache.Invalidation(func(r *http.Request) bool {
		return r.Header.Get("Authorization") == "Bearer editor"
	}, cache.IgnoreUnauthorized))
	c, err := cache.New(opts...)
	if err != nil {
		log.Fatal(err)
	}

	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	api := gw.Upstream("api", backendURL)
	gw.GET("/users/:id").Use(c.Middleware(cache.TTL(time.Hour), cache.KeyQuery("fields"))).Proxy(api, "/users/:id")
	gw.GET("/report").Use(c.Handler).Proxy(api, "/report")
	gw.GET("/slow").Use(c.Handler).Proxy(api, "/slow")
	// Prices change often; when the backend fails, a price up to an hour old beats an error.
	gw.GET("/prices").Use(c.Middleware(cache.TTL(time.Second), cache.StaleIfError(time.Hour))).Proxy(api, "/prices")
	if err := gw.Build(); err != nil {
		log.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = gw.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}

	show := func(title, path string, header ...string) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := client.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		line := fmt.Sprintf("%-44s %d X-Cache=%-6s", title, resp.StatusCode, resp.Header.Get("X-Cache"))
		if age := resp.Header.Get("Age"); age != "" {
			line += " Age=" + age
		}
		if inv := resp.Header.Get(cache.HeaderInvalidation); inv != "" {
			line += " " + cache.HeaderInvalidation + "=" + inv
		}
		if len(body) > 0 && len(body) < 60 {
			line += "  " + strings.TrimSpace(string(body))
		}
		fmt.Printf("%s  (backend calls: %d)\n", line, calls.Load())
	}

	show("GET /users/42?fields=name", "/users/42?fields=name")
	show("GET /prices", "/prices")
	time.Sleep(1100 * time.Millisecond) // let the entries age by a second
	show("again", "/users/42?fields=name")
	pricesDown.Store(true)
	show("/prices expired, backend failing: stale", "/prices")
	show("unkeyed parameter cannot poison the entry", "/users/42?debug=evil&fields=name")
	show("If-None-Match with the stored ETag", "/users/42?fields=name", "If-None-Match", `"user-42"`)
	show("X-Host could change the answer: bypass", "/users/7?fields=name", "X-Host", "evil.example")
	show("so the next request is a miss", "/users/7?fields=name")
	show("Authorization without public is not stored", "/users/8", "Authorization", "Bearer alice")
	show("max-age=0 from a client: ignored", "/users/42?fields=name", "Cache-Control", "max-age=0")
	show("max-age=0 from an editor: refreshed", "/users/42?fields=name", "Cache-Control", "max-age=0", "Authorization", "Bearer editor")
	show("so other callers get a fresh response", "/users/42?fields=name")
	show("a 2 MiB report streams through", "/report")
	show("and is not stored", "/report")

	var wg sync.WaitGroup
	before := calls.Load()
	for range 10 {
		wg.Go(func() {
			resp, err := client.Get(base + "/slow")
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	fmt.Printf("10 concurrent misses on /slow made %d backend call(s)\n", calls.Load()-before)

	if err := c.PurgePath(ctx, "GET", "/users/42"); err != nil {
		log.Fatal(err)
	}
	show("after PurgePath(GET /users/42)", "/users/42?fields=name")
}

// startBackend serves the demo API on a loopback port until ctx ends.
func startBackend(ctx context.Context, calls *atomic.Int64, pricesDown *atomic.Bool) string {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /prices", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if pricesDown.Load() {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"EUR":1.08}`)
	})
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Etag", `"user-`+r.PathValue("id")+`"`)
		fmt.Fprintf(w, `{"id":%q,"version":%d}`, r.PathValue("id"), n)
	})
	mux.HandleFunc("GET /report", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		chunk := strings.Repeat("x", 64<<10)
		for range 32 {
			_, _ = io.WriteString(w, chunk)
		}
	})
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		time.Sleep(200 * time.Millisecond)
		_, _ = io.WriteString(w, "slow answer")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: gateway.ServeReadHeaderTimeout}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String()
}

// redisStore returns a Redis store when REDIS_ADDR names a reachable
// server, and nil (with a note) otherwise.
func redisStore(ctx context.Context) (cache.Store, func()) {
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		fmt.Println("cache in memory (set REDIS_ADDR=host:port to share it through Redis)")
		return nil, nil
	}
	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, DialTimeout: time.Second})
	pingCtx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		fmt.Printf("Redis at %s unreachable (%v): cache in memory\n", addr, err)
		_ = client.Close()
		return nil, nil
	}
	store, err := redisstore.NewCacheStore(client, redisstore.CacheConfig{Prefix: "example:caching:"})
	if err != nil {
		log.Fatal(err)
	}
	_ = store.Flush(ctx)
	fmt.Printf("cache in Redis at %s\n", addr)
	return store, func() { _ = client.Close() }
}
