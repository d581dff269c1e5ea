package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cache"
)

func Example() {
	calls := 0
	users := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"call":%d}`, r.PathValue("id"), calls)
	})

	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c, err := cache.New(cache.TTL(time.Minute), cache.Now(func() time.Time { return now }))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	mux := http.NewServeMux()
	mux.Handle("GET /users/{id}", c.Handler(users))

	get := func(header ...string) {
		r := httptest.NewRequest("GET", "/users/42", nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		fmt.Printf("%d X-Cache=%s Age=%q %s\n", rec.Code, rec.Header().Get("X-Cache"), rec.Header().Get("Age"), rec.Body)
	}
	get()
	now = now.Add(5 * time.Second)
	get()
	get("Cache-Control", "no-store") // the client asks not to use the cache
	now = now.Add(time.Minute)
	get() // expired
	// Output:
	// 200 X-Cache=Miss Age="" {"id":"42","call":1}
	// 200 X-Cache=Hit Age="5" {"id":"42","call":1}
	// 200 X-Cache=Bypass Age="" {"id":"42","call":2}
	// 200 X-Cache=Miss Age="" {"id":"42","call":3}
}

// One cache serves the routes of a gateway, each with its own TTL and key.
func ExampleCache_Middleware() {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.URL.RequestURI())
	}))
	defer backend.Close()

	c, err := cache.New() // 300 s by default
	if err != nil {
		fmt.Println(err)
		return
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	api := gw.Upstream("api", backend.URL)
	gw.GET("/products/:id").Use(c.Middleware(cache.TTL(time.Hour))).Proxy(api, "/products/:id")
	gw.GET("/search").Use(c.Middleware(cache.TTL(30*time.Second), cache.KeyQuery("q", "page"))).Proxy(api, "/search")
	if err := gw.Build(); err != nil {
		fmt.Println(err)
		return
	}

	for _, target := range []string{
		"/search?q=shoes&page=2",
		"/search?page=2&q=shoes&utm_source=ad", // same key: order and unkeyed parameters do not matter
		"/search?q=shoes&page=3",
		"/products/7",
		"/products/7",
	} {
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Println(rec.Header().Get("X-Cache"), rec.Body)
	}
	// Output:
	// Miss /search?q=shoes&page=2
	// Hit /search?q=shoes&page=2
	// Miss /search?q=shoes&page=3
	// Miss /products/7
	// Hit /products/7
}

// Only authorized clients may refresh an entry with Cache-Control:
// max-age=0; the others get 403 under RejectUnauthorized.
func ExampleInvalidation() {
	calls := 0
	c, err := cache.New(cache.Invalidation(func(r *http.Request) bool {
		return r.Header.Get("X-Role") == "editor"
	}, cache.RejectUnauthorized))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		fmt.Fprintf(w, "version %d", calls)
	}))
	for _, role := range []string{"", "", "reader", "editor", ""} {
		r := httptest.NewRequest("GET", "/page", nil)
		if role != "" {
			r.Header.Set("Cache-Control", "max-age=0")
			r.Header.Set("X-Role", role)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
			continue
		}
		fmt.Println(rec.Code, rec.Header().Get("X-Cache"), rec.Body)
	}
	// Output:
	// 200 Miss version 1
	// 200 Hit version 1
	// 403 application/problem+json
	// 200 Miss version 2
	// 200 Hit version 2
}

// Programs purge one request's entry, every entry of a path, or a subtree.
func ExampleCache_PurgePath() {
	c, err := cache.New(cache.KeyQuery("lang"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "doc") }))
	get := func(target string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return rec.Header().Get("X-Cache")
	}
	targets := []string{"/docs/a?lang=en", "/docs/a?lang=fr", "/docs/b"}
	for _, t := range targets {
		get(t)
	}
	_ = c.PurgePath(context.Background(), "GET", "/docs/a")
	var got []string
	for _, t := range targets {
		got = append(got, get(t))
	}
	fmt.Println(got)
	_ = c.PurgePrefix(context.Background(), "GET /docs/")
	fmt.Println(get("/docs/b"))
	// Output:
	// [Miss Miss Hit]
	// Miss
}
