package redisstore

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/redistest"
)

func newAPIKeyClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true, MaxRetries: -1,
		DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func newAPIKeyStore(t *testing.T, c redis.UniversalClient, cfg APIKeyStoreConfig) *APIKeyStore {
	t.Helper()
	s, err := NewAPIKeyStore(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAPIKeyStoreLifecycle(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	// Two gateway instances, each with its own client, share the keys.
	a := newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{})
	b := newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{})
	m := &auth.KeyManager{Store: a}

	secret, k, err := m.Create(ctx, auth.APIKey{ID: "k1", Owner: "acme", Plan: "gold", Tags: map[string]string{"env": "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Lookup(ctx, auth.HashKey(secret))
	if err != nil || got.ID != "k1" || got.Owner != "acme" || got.Plan != "gold" || got.Tags["env"] != "prod" ||
		len(got.Secrets) != 1 || got.Secrets[0].Hash != k.Secrets[0].Hash {
		t.Fatalf("Lookup on the other instance: %+v, %v", got, err)
	}
	if _, err := b.Get(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Create(ctx, auth.APIKey{ID: "k1"}); !errors.Is(err, auth.ErrKeyExists) {
		t.Fatalf("duplicate create: %v", err)
	}

	// Rotation: both secrets work, the old one's index expires in Redis at
	// the end of the grace period.
	m.Now = time.Now
	fresh, _, err := m.Rotate(ctx, "k1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, fresh} {
		if _, err := b.Lookup(ctx, auth.HashKey(s)); err != nil {
			t.Fatalf("secret not found after rotation: %v", err)
		}
	}
	ttl, err := a.client.PTTL(ctx, a.hashKey(auth.HashKey(secret))).Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("old secret's TTL %v, %v", ttl, err)
	}
	if ttl, _ := a.client.PTTL(ctx, a.hashKey(auth.HashKey(fresh))).Result(); ttl != -1 {
		t.Fatalf("new secret's TTL %v", ttl)
	}
	// An immediate rotation removes the previous secrets' indexes.
	newest, _, err := m.Rotate(ctx, "k1", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, fresh} {
		if _, err := b.Lookup(ctx, auth.HashKey(s)); !errors.Is(err, auth.ErrKeyNotFound) {
			t.Fatalf("rotated-out secret still indexed: %v", err)
		}
	}
	if k, err := m.SetDisabled(ctx, "k1", true); err != nil || !k.Disabled {
		t.Fatalf("disable: %v", err)
	}
	if k, err := b.Lookup(ctx, auth.HashKey(newest)); err != nil || !k.Disabled {
		t.Fatalf("disabled flag not shared: %+v %v", k, err)
	}
	errBoom := errors.New("boom")
	if _, err := a.Update(ctx, "k1", func(*auth.APIKey) error { return errBoom }); err != errBoom {
		t.Fatalf("Update must return fn's error unchanged: %v", err)
	}
	if _, err := a.Update(ctx, "k1", func(k *auth.APIKey) error { k.ID = "other"; return nil }); err == nil {
		t.Fatal("id change accepted")
	}
	if err := m.Delete(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.client.DBSize(ctx).Result(); n != 0 {
		t.Fatalf("%d keys left after delete", n)
	}
	if err := m.Delete(ctx, "k1"); !errors.Is(err, auth.ErrKeyNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, _, err := m.Rotate(ctx, "k1", 0); !errors.Is(err, auth.ErrKeyNotFound) {
		t.Fatalf("rotate deleted: %v", err)
	}
}

func TestAPIKeyStoreUnknownKeysLeaveNoTrace(t *testing.T) {
	srv := redistest.Start(t)
	c := newAPIKeyClient(t, srv.Addr())
	s := newAPIKeyStore(t, c, APIKeyStoreConfig{Prefix: "t:{k}:"})
	ctx := context.Background()
	if _, _, err := (&auth.KeyManager{Store: s}).Create(ctx, auth.APIKey{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	before, _ := c.DBSize(ctx).Result()
	for range 200 {
		if _, err := s.Lookup(ctx, auth.HashKey(auth.GenerateKey())); !errors.Is(err, auth.ErrKeyNotFound) {
			t.Fatal(err)
		}
	}
	if after, _ := c.DBSize(ctx).Result(); after != before || before != 2 {
		t.Fatalf("keys: %d before, %d after", before, after)
	}
	if n, _ := c.Exists(ctx, "t:{k}:id:k").Result(); n != 1 {
		t.Fatal("prefix not used")
	}
}

func TestAPIKeyStoreConcurrentRotations(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	s1 := newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{})
	s2 := newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{})
	if _, _, err := (&auth.KeyManager{Store: s1}).Create(ctx, auth.APIKey{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	secrets := make([]string, 2)
	for i, s := range []*APIKeyStore{s1, s2} {
		wg.Go(func() {
			sec, _, err := (&auth.KeyManager{Store: s}).Rotate(ctx, "k", time.Hour)
			if err != nil {
				t.Error(err)
			}
			secrets[i] = sec
		})
	}
	wg.Wait()
	for _, sec := range secrets {
		if _, err := s1.Lookup(ctx, auth.HashKey(sec)); err != nil {
			t.Fatalf("a concurrent rotation was lost: %v", err)
		}
	}
	k, _ := s1.Get(ctx, "k")
	if len(k.Secrets) != 3 {
		t.Fatalf("%d secrets, want 3", len(k.Secrets))
	}
}

// TestAPIKeyStoreFailures checks that a Redis that is down, hung or holds
// garbage makes requests fail fast with 503, never pass, and that the
// store recovers when Redis comes back.
func TestAPIKeyStoreFailures(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	var mu sync.Mutex
	var ops []string
	s := newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{OnError: func(op string, err error) {
		mu.Lock()
		ops = append(ops, op)
		mu.Unlock()
	}})
	secret, _, err := (&auth.KeyManager{Store: s}).Create(ctx, auth.APIKey{ID: "k"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.NewAPIKeys(auth.APIKeyConfig{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	status := func() int {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("X-Api-Key", secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := status(); got != http.StatusNoContent {
		t.Fatalf("with Redis up: %d", got)
	}
	srv.Stop()
	start := time.Now()
	if got := status(); got != http.StatusServiceUnavailable {
		t.Fatalf("with Redis down: %d", got)
	}
	if d := time.Since(start); d > 3*time.Second { // bounded: a hang would wait far longer
		t.Fatalf("failure took %v", d)
	}
	srv.Start() // an empty Redis: the key must be stored again
	if got := status(); got != http.StatusUnauthorized {
		t.Fatalf("after Redis came back empty: %d", got)
	}
	if secret, _, err = (&auth.KeyManager{Store: s}).Create(ctx, auth.APIKey{ID: "k"}); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != http.StatusNoContent {
		t.Fatalf("after Redis came back: %d", got)
	}

	// A corrupt record is a store failure, not a pass.
	c := newAPIKeyClient(t, srv.Addr())
	if err := c.Set(ctx, s.hashKey(auth.HashKey(secret)), "{not json", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != http.StatusServiceUnavailable {
		t.Fatalf("with a corrupt record: %d", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ops) < 2 || ops[0] != "lookup" || ops[len(ops)-1] != "decode" {
		t.Fatalf("OnError saw %v", ops)
	}
}

// TestAPIKeyStoreHungServer points the store at a server that accepts
// connections and never answers: lookups give up after the timeout.
func TestAPIKeyStoreHungServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	done := make(chan struct{})
	conns.Go(func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				<-done
				return
			}
			held = append(held, c) // never read, never answer
		}
	})
	defer func() { _ = ln.Close(); close(done); conns.Wait() }()
	c := newAPIKeyClient(t, ln.Addr().String())
	s := newAPIKeyStore(t, c, APIKeyStoreConfig{Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err = s.Lookup(context.Background(), auth.HashKey(auth.GenerateKey()))
	if err == nil || errors.Is(err, auth.ErrKeyNotFound) {
		t.Fatalf("Lookup on a hung server: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second { // well under the client's 5s read timeout
		t.Fatalf("Lookup took %v with a 50ms timeout", d)
	}
	_ = c.Close()
}

func TestNewAPIKeyStoreErrors(t *testing.T) {
	if _, err := NewAPIKeyStore(nil, APIKeyStoreConfig{}); err == nil {
		t.Fatal("nil client accepted")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	if _, err := NewAPIKeyStore(c, APIKeyStoreConfig{Timeout: -1}); err == nil {
		t.Fatal("negative timeout accepted")
	}
}

// TestAPIKeyStoreThroughGateways runs two gateways on one Redis: a key
// issued, rotated and disabled through one instance behaves the same on
// the other, and a Redis outage is a 503 on both.
func TestAPIKeyStoreThroughGateways(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	up := gatewaytest.NewUpstream(t)
	var clients []*gatewaytest.Client
	var stores []*APIKeyStore
	for range 2 {
		s := newAPIKeyStore(t, newAPIKeyClient(t, srv.Addr()), APIKeyStoreConfig{})
		stores = append(stores, s)
		gw := gateway.New()
		t.Cleanup(func() { _ = gw.Close() })
		users := gw.Upstream("users", up.URL)
		gw.GET("/users/:id").Use(auth.APIKeys(auth.APIKeyConfig{Store: s})).Proxy(users, "/users/:id")
		if err := gw.Build(); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, gatewaytest.NewClient(t, gw))
	}
	mgr := &auth.KeyManager{Store: stores[0]}
	secret, k, err := mgr.Create(ctx, auth.APIKey{Owner: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	clients[1].Get("/users/1", "X-Api-Key", secret).ExpectStatus(http.StatusOK)
	fresh, _, err := (&auth.KeyManager{Store: stores[1]}).Rotate(ctx, k.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	clients[0].Get("/users/1", "X-Api-Key", secret).ExpectStatus(http.StatusUnauthorized)
	clients[0].Get("/users/1", "X-Api-Key", fresh).ExpectStatus(http.StatusOK)
	if _, err := mgr.SetDisabled(ctx, k.ID, true); err != nil {
		t.Fatal(err)
	}
	clients[1].Get("/users/1", "X-Api-Key", fresh).ExpectStatus(http.StatusForbidden)
	srv.Stop()
	for _, c := range clients {
		res := c.Get("/users/1", "X-Api-Key", fresh).ExpectStatus(http.StatusServiceUnavailable)
		if res.Problem().Status != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" {
			t.Fatalf("outage answer: %v", res.Header)
		}
	}
	if n := up.Count(); n != 2 {
		t.Fatalf("upstream got %d requests, want 2", n)
	}
}

// BenchmarkAPIKeyRedis measures API key authentication against a real
// Redis, directly and behind an in-process auth.CachedKeyStore.
func BenchmarkAPIKeyRedis(b *testing.B) {
	srv := redistest.Start(b)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	defer c.Close()
	s, err := NewAPIKeyStore(c, APIKeyStoreConfig{})
	if err != nil {
		b.Fatal(err)
	}
	secret, _, err := (&auth.KeyManager{Store: s}).Create(context.Background(), auth.APIKey{Owner: "o", Plan: "gold"})
	if err != nil {
		b.Fatal(err)
	}
	cached, err := auth.NewCachedKeyStore(s, 5*time.Second, 1000, nil)
	if err != nil {
		b.Fatal(err)
	}
	for name, store := range map[string]auth.KeyStore{"direct": s, "cached": cached} {
		b.Run(name, func(b *testing.B) {
			a, err := auth.NewAPIKeys(auth.APIKeyConfig{Store: store, KeepHeader: true})
			if err != nil {
				b.Fatal(err)
			}
			h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("X-Api-Key", secret)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		})
	}
}

// TestAPIKeyStoreOnCluster creates, rotates, looks up and deletes a key on
// Redis Cluster, whose transactions need every key in one slot, and
// refuses a prefix without a hash tag there.
func TestAPIKeyStoreOnCluster(t *testing.T) {
	c := startCluster(t)
	if _, err := NewAPIKeyStore(c, APIKeyStoreConfig{Prefix: "keys:"}); err == nil {
		t.Fatal("a prefix without a hash tag was accepted for a cluster")
	}
	ctx := context.Background()
	m := &auth.KeyManager{Store: newAPIKeyStore(t, c, APIKeyStoreConfig{})}
	old, _, err := m.Create(ctx, auth.APIKey{ID: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	fresh, _, err := m.Rotate(ctx, "k1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{old, fresh} {
		if k, err := m.Store.Lookup(ctx, auth.HashKey(secret)); err != nil || k.ID != "k1" {
			t.Fatalf("Lookup: %+v %v", k, err)
		}
	}
	if err := m.Delete(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Store.Lookup(ctx, auth.HashKey(fresh)); !errors.Is(err, auth.ErrKeyNotFound) {
		t.Fatalf("Lookup after Delete: %v", err)
	}
}
