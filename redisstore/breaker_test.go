package redisstore

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/redistest"
	"github.com/gatewaykit/gateway/internal/testclock"
	"github.com/gatewaykit/gateway/proxy"
)

// breakerErrors records the operations a store or breaker reported.
type breakerErrors struct {
	mu  sync.Mutex
	ops []string
}

func (l *breakerErrors) add(op string, _ error) {
	l.mu.Lock()
	l.ops = append(l.ops, op)
	l.mu.Unlock()
}

func (l *breakerErrors) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops)
}

// newBreakerStore returns a store on srv with its own client, as a separate
// gateway instance would have.
func newBreakerStore(t *testing.T, srv *redistest.Server, cfg BreakerStoreConfig) *BreakerStore {
	t.Helper()
	client := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), ContextTimeoutEnabled: true,
		DialTimeout: 100 * time.Millisecond, MaxRetries: -1,
	})
	t.Cleanup(func() { _ = client.Close() })
	s, err := NewBreakerStore(client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBreakerStoreDataAndLocks(t *testing.T) {
	srv := redistest.Start(t)
	a := newBreakerStore(t, srv, BreakerStoreConfig{TTL: time.Hour})
	b := newBreakerStore(t, srv, BreakerStoreConfig{TTL: time.Hour})

	if d, err := a.GetData("state:x"); err != nil || d != nil {
		t.Fatalf("missing data: %q %v", d, err)
	}
	if err := a.SetData("state:x", []byte(`{"state":2}`)); err != nil {
		t.Fatal(err)
	}
	if d, err := b.GetData("state:x"); err != nil || string(d) != `{"state":2}` {
		t.Fatalf("shared data: %q %v", d, err)
	}
	ttl := a.client.TTL(t.Context(), DefaultBreakerPrefix+"state:x").Val()
	if ttl <= 0 || ttl > time.Hour {
		t.Fatalf("ttl %v", ttl)
	}

	if err := a.Lock("m"); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock("m"); !errors.Is(err, ErrBreakerLocked) {
		t.Fatalf("second holder: %v", err)
	}
	if err := b.Unlock("m"); err != nil { // not its lock: nothing happens
		t.Fatal(err)
	}
	if err := b.Lock("m"); !errors.Is(err, ErrBreakerLocked) {
		t.Fatal("a foreign Unlock released the lock")
	}
	if err := a.Unlock("m"); err != nil {
		t.Fatal(err)
	}
	if err := b.Lock("m"); err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = b.Unlock("m")
}

func TestNewBreakerStoreErrors(t *testing.T) {
	if _, err := NewBreakerStore(nil, BreakerStoreConfig{}); err == nil {
		t.Fatal("nil client accepted")
	}
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer client.Close()
	if _, err := NewBreakerStore(client, BreakerStoreConfig{Timeout: -1}); err == nil {
		t.Fatal("negative timeout accepted")
	}
}

// TestGobreakerDistributedBreaker uses the store with gobreaker's own
// distributed breaker: one instance's trip is seen by the other.
func TestGobreakerDistributedBreaker(t *testing.T) {
	srv := redistest.Start(t)
	settings := gobreaker.Settings{Name: "orders", ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 2 }}
	a, err := gobreaker.NewDistributedCircuitBreaker[int](newBreakerStore(t, srv, BreakerStoreConfig{}), settings)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gobreaker.NewDistributedCircuitBreaker[int](newBreakerStore(t, srv, BreakerStoreConfig{}), settings)
	if err != nil {
		t.Fatal(err)
	}
	fail := func() (int, error) { return 0, errors.New("upstream failed") }
	_, _ = a.Execute(fail)
	_, _ = a.Execute(fail)
	if st, err := b.State(); err != nil || st != gobreaker.StateOpen {
		t.Fatalf("other instance sees %v, %v", st, err)
	}
	if _, err := b.Execute(func() (int, error) { return 1, nil }); !errors.Is(err, gobreaker.ErrOpenState) {
		t.Fatalf("other instance executed: %v", err)
	}
}

// newSharedBreaker returns a breaker of one gateway instance sharing its
// state through srv.
func newSharedBreaker(t *testing.T, srv *redistest.Server, clk *testclock.Clock, errs *breakerErrors) *breaker.Breaker {
	t.Helper()
	b, err := breaker.New(breaker.Settings{
		Name:                "orders",
		ConsecutiveFailures: 2,
		OpenInterval:        30 * time.Second,
		SyncInterval:        time.Second,
		Now:                 clk.Now,
		Store:               newBreakerStore(t, srv, BreakerStoreConfig{Timeout: 200 * time.Millisecond}),
		OnError:             errs.add,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func trip(t *testing.T, b *breaker.Breaker, n int) {
	t.Helper()
	for range n {
		tk, err := b.Allow()
		if err != nil {
			t.Fatalf("rejected: %v", err)
		}
		b.Done(tk, http.StatusBadGateway, nil)
	}
}

func TestSharedBreakerAcrossInstances(t *testing.T) {
	srv := redistest.Start(t)
	clk := testclock.New(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	var errs breakerErrors
	a := newSharedBreaker(t, srv, clk, &errs)
	b := newSharedBreaker(t, srv, clk, &errs)

	if _, err := b.Allow(); err != nil { // b has synced: closed everywhere
		t.Fatal(err)
	}
	trip(t, a, 2)
	if a.State() != breaker.StateOpen {
		t.Fatal("a did not trip")
	}
	// b reads the shared state once its sync interval has passed.
	clk.Advance(time.Second)
	_, err := b.Allow()
	var oe *breaker.OpenError
	if !errors.As(err, &oe) || oe.RetryAfter != 29*time.Second {
		t.Fatalf("b after a's trip: %v", err)
	}
	// Both admit probes when the shared open interval is over.
	clk.Advance(29 * time.Second)
	if b.State() != breaker.StateHalfOpen || a.State() != breaker.StateHalfOpen {
		t.Fatalf("states a %v b %v", a.State(), b.State())
	}
	if got := errs.list(); len(got) != 0 {
		t.Fatalf("errors %v", got)
	}
}

func TestSharedBreakerSurvivesRedisOutage(t *testing.T) {
	srv := redistest.Start(t)
	clk := testclock.New(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	var errs breakerErrors
	a := newSharedBreaker(t, srv, clk, &errs)
	b := newSharedBreaker(t, srv, clk, &errs)

	srv.Stop()
	// Without Redis each breaker keeps working on its own state, and no
	// decision waits longer than the store's timeout.
	start := time.Now()
	trip(t, a, 2)
	if a.State() != breaker.StateOpen {
		t.Fatal("a did not trip locally")
	}
	clk.Advance(time.Second)
	if _, err := b.Allow(); err != nil {
		t.Fatalf("b rejected without a shared trip: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("decisions took %v without Redis", took)
	}
	got := errs.list()
	if !slices.Contains(got, "set") || !slices.Contains(got, "get") {
		t.Fatalf("errors reported %v", got)
	}

	// Redis is back: the next trip is shared again.
	srv.Start()
	clk.Advance(30 * time.Second) // a: half-open
	tk, err := a.Allow()
	if err != nil {
		t.Fatal(err)
	}
	a.Done(tk, http.StatusServiceUnavailable, nil) // the probe fails: open again, published
	clk.Advance(time.Second)
	if _, err := b.Allow(); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("b after Redis came back: %v", err)
	}
}

// TestSharedBreakerThroughProxies runs two gateway instances' proxies to
// one failing backend: once the first trips, the second stops calling it
// too.
func TestSharedBreakerThroughProxies(t *testing.T) {
	srv := redistest.Start(t)
	clk := testclock.New(time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC))
	var hits atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer backend.Close()
	tr := proxy.NewTransport()
	defer tr.CloseIdleConnections()
	instance := func() *proxy.Proxy {
		u, err := proxy.NewUpstream("orders", []string{backend.URL}, proxy.WithTransport(tr), proxy.WithClock(clk.Now),
			proxy.WithBreaker(breaker.Settings{ConsecutiveFailures: 3, OpenInterval: time.Minute,
				Store: newBreakerStore(t, srv, BreakerStoreConfig{})}))
		if err != nil {
			t.Fatal(err)
		}
		p, err := proxy.New(u, "")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := instance(), instance()
	get := func(p *proxy.Proxy) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest("GET", "/orders", nil))
		return rec
	}
	get(b) // b synced: closed
	for range 3 {
		if rec := get(a); rec.Code != http.StatusInternalServerError {
			t.Fatalf("a: %d", rec.Code)
		}
	}
	clk.Advance(2 * time.Second)
	rec := get(b)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "58" {
		t.Fatalf("b answered %d %v", rec.Code, rec.Header())
	}
	if hits.Load() != 4 {
		t.Fatalf("backend saw %d requests", hits.Load())
	}
}

// TestBreakerSharesStateWithGobreaker runs a breaker of package breaker and
// one of gobreaker's distributed breakers on the same name and Redis: each
// sees the other's trip.
func TestBreakerSharesStateWithGobreaker(t *testing.T) {
	srv := redistest.Start(t)
	settings := gobreaker.Settings{Name: "orders", Timeout: time.Minute,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }}
	gb, err := gobreaker.NewDistributedCircuitBreaker[int](newBreakerStore(t, srv, BreakerStoreConfig{}), settings)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := breaker.New(breaker.Settings{Name: "orders", ConsecutiveFailures: 1, OpenInterval: time.Minute,
		Store: newBreakerStore(t, srv, BreakerStoreConfig{})})
	if err != nil {
		t.Fatal(err)
	}

	// Ours trips: gobreaker's breaker is open too.
	trip(t, ours, 1)
	if st, err := gb.State(); err != nil || st != gobreaker.StateOpen {
		t.Fatalf("gobreaker sees %v, %v", st, err)
	}

	// Reset the shared state, then gobreaker's trips: ours opens.
	if err := newBreakerStore(t, srv, BreakerStoreConfig{}).SetData("gobreaker:state:orders", nil); err != nil {
		t.Fatal(err)
	}
	other, _ := breaker.New(breaker.Settings{Name: "orders", Store: newBreakerStore(t, srv, BreakerStoreConfig{})})
	gb2, err := gobreaker.NewDistributedCircuitBreaker[int](newBreakerStore(t, srv, BreakerStoreConfig{}), settings)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = gb2.Execute(func() (int, error) { return 0, errors.New("upstream failed") })
	if _, err := other.Allow(); !errors.Is(err, breaker.ErrOpen) {
		t.Fatalf("ours after gobreaker's trip: %v", err)
	}
}
