package cache_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/ratelimit"
)

// A limiter after the cache describes the budget of the caller that filled
// an entry; hits, served to any caller without passing the limiter, must
// not repeat it.
func TestCallerFieldsNotReplayed(t *testing.T) {
	store := auth.NewMemoryKeyStore()
	keys := &auth.KeyManager{Store: store}
	secrets := map[string]string{}
	for _, owner := range []string{"alice", "bob"} {
		secret, _, err := keys.Create(context.Background(), auth.APIKey{ID: owner + "-key", Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		secrets[owner] = secret
	}
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/catalog").Use(auth.APIKeys(auth.APIKeyConfig{Store: store}), c.Middleware(),
		ratelimit.Throttle(ratelimit.PerMinute(3), ratelimit.ByAPIKey())).
		HandleFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "public, max-age=60")
			_, _ = w.Write([]byte("catalog"))
		})
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	first := client.Get("/catalog", "X-Api-Key", secrets["alice"]).ExpectStatus(http.StatusOK)
	if first.Header.Get("RateLimit") == "" {
		t.Fatal("the filling response carries no RateLimit field; the test does not test anything")
	}
	for _, owner := range []string{"bob", "alice"} {
		r := client.Get("/catalog", "X-Api-Key", secrets[owner]).ExpectStatus(http.StatusOK)
		if r.Header.Get(cache.HeaderXCache) != cache.StatusHit {
			t.Fatalf("%s: X-Cache %q, want a hit", owner, r.Header.Get(cache.HeaderXCache))
		}
		for _, name := range []string{"RateLimit", "RateLimit-Policy", "Retry-After"} {
			if v := r.Header.Values(name); len(v) > 0 {
				t.Errorf("%s: a hit repeats the filling request's %s %q", owner, name, v)
			}
		}
	}
}

// An upstream echoing the request ID, in whatever header the gateway is
// configured to use, does not hand one caller's ID to the next.
func TestEchoedRequestIDNotReplayed(t *testing.T) {
	const name = "X-Correlation-Id"
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New(gateway.RequestIDHeader(name))
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/catalog").Use(c.Middleware()).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(name, r.Header.Get(name))
		w.Header().Set("Cache-Control", "public, max-age=60")
		_, _ = w.Write([]byte("catalog"))
	})
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	for i, want := range []string{cache.StatusMiss, cache.StatusHit} {
		r := client.Get("/catalog").ExpectStatus(http.StatusOK)
		if got := r.Header.Get(cache.HeaderXCache); got != want {
			t.Fatalf("request %d: X-Cache %q, want %q", i, got, want)
		}
		if ids := r.Header.Values(name); len(ids) != 1 {
			t.Errorf("request %d (%s): %s %q, want the request's own ID alone", i, want, name, ids)
		}
	}
}
