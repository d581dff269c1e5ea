package cache_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// TestNoCrossUserLeakThroughGateway puts the cache behind a real
// authorizer on a gateway and checks that no caller ever receives a
// response produced for another.
func TestNoCrossUserLeakThroughGateway(t *testing.T) {
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()

	tokens := map[string]auth.Decision{
		"Bearer alice-token": {PrincipalID: "alice", Routes: []string{"*"}},
		"Bearer bob-token":   {PrincipalID: "bob", Routes: []string{"*"}},
		"Bearer ops-token":   {PrincipalID: "ops", Routes: []string{"*"}, Scopes: []string{"cache:invalidate"}},
	}
	authz := auth.CustomAuthorizer(auth.AuthorizerConfig{
		Authorize: func(_ context.Context, req *auth.AuthorizerRequest) (*auth.Decision, error) {
			for _, v := range req.Identity {
				if d, ok := tokens[v]; ok {
					return &d, nil
				}
			}
			return nil, auth.ErrUnauthorized
		},
	})
	var calls atomic.Int64
	personal := func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte("data of " + reqctx.PrincipalFrom(r.Context()).ID))
	}
	api := gw.Group("/api").Use(authz)
	api.GET("/me").Use(c.Middleware(cache.PerPrincipal(),
		cache.Invalidation(cache.HasScope("cache:invalidate"), cache.RejectUnauthorized))).HandleFunc(personal)
	api.GET("/inbox").Use(c.Handler).HandleFunc(personal) // shared key, private data
	api.GET("/catalog").Use(c.Middleware(cache.ShareAuthorized())).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte("catalog"))
	})
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	get := func(path, token string, header ...string) *gatewaytest.Response {
		if token != "" {
			header = append(header, "Authorization", "Bearer "+token)
		}
		return client.Get(path, header...)
	}
	check := func(r *gatewaytest.Response, status int, xcache, body string) {
		t.Helper()
		if r.Status != status || r.Header.Get("X-Cache") != xcache || (body != "" && string(r.Body) != body) {
			t.Errorf("got %d X-Cache=%q %q, want %d %q %q", r.Status, r.Header.Get("X-Cache"), r.Body, status, xcache, body)
		}
	}

	for range 2 {
		for _, user := range []string{"alice", "bob"} {
			r := get("/api/me", user+"-token")
			if string(r.Body) != "data of "+user {
				t.Fatalf("%s received %q", user, r.Body)
			}
		}
	}
	check(get("/api/me", "alice-token"), 200, "Hit", "data of alice")
	check(get("/api/me", ""), 401, "", "")
	check(get("/api/me", "mallory-token"), 401, "", "")

	// Without PerPrincipal, private answers to credentialed requests are
	// never stored.
	check(get("/api/inbox", "alice-token"), 200, "Miss", "data of alice")
	check(get("/api/inbox", "bob-token"), 200, "Miss", "data of bob")
	check(get("/api/inbox", "alice-token"), 200, "Miss", "data of alice")

	// A route declared shared serves one entry to every authorized caller.
	check(get("/api/catalog", "alice-token"), 200, "Miss", "catalog")
	check(get("/api/catalog", "bob-token"), 200, "Hit", "catalog")

	// Invalidation needs the scope.
	r := get("/api/me", "alice-token", "Cache-Control", "max-age=0")
	if r.Status != 403 || !strings.Contains(r.Problem().Title, "Forbidden") {
		t.Errorf("invalidation without the scope: %d %s", r.Status, r.Body)
	}
	before := calls.Load()
	check(get("/api/me", "ops-token"), 200, "Miss", "data of ops")
	check(get("/api/me", "ops-token", "Cache-Control", "max-age=0"), 200, "Miss", "data of ops")
	if n := calls.Load() - before; n != 2 {
		t.Errorf("upstream calls for ops = %d, want 2", n)
	}
	check(get("/api/me", "alice-token"), 200, "Hit", "data of alice")
}

// TestAPIKeyCallersApartThroughGateway puts the cache behind the API key
// block, which removes the key header before the cache sees the request:
// each caller's response must still never reach another.
func TestAPIKeyCallersApartThroughGateway(t *testing.T) {
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
	a, err := auth.NewAPIKeys(auth.APIKeyConfig{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/orders").Use(a.Handler, c.Handler).HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("orders of " + reqctx.PrincipalFrom(r.Context()).ID))
	})
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	for range 2 {
		for _, owner := range []string{"alice", "bob"} {
			r := client.Get("/orders", "X-Api-Key", secrets[owner])
			if want := "orders of " + owner; string(r.Body) != want {
				t.Fatalf("%s received %q (X-Cache %s), want %q", owner, r.Body, r.Header.Get("X-Cache"), want)
			}
		}
	}
}
