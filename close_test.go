package gateway_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/proxy"
)

// TestCloseStopsWorkAddedAfterwards checks that background work
// registered after Close (an upstream with health checks declared late)
// is stopped at once rather than left running for ever.
func TestCloseStopsWorkAddedAfterwards(t *testing.T) {
	var checks atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checks.Add(1)
	}))
	defer backend.Close()

	gw := gateway.New()
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	u, err := proxy.NewUpstream("late", []string{backend.URL},
		proxy.WithHealthCheck(proxy.HealthCheck{Interval: 10 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	gw.AddUpstream(u)
	ran := false
	gw.OnClose(func() error { ran = true; return nil })
	if !ran {
		t.Fatal("a function registered after Close never runs")
	}
	n := checks.Load()
	time.Sleep(50 * time.Millisecond)
	if m := checks.Load(); m != n {
		t.Fatalf("health checks still run after Close: %d then %d", n, m)
	}
}

// TestConcurrentCloseWaits checks that every Close returns only once the
// background work is stopped, not just the first of concurrent calls.
func TestConcurrentCloseWaits(t *testing.T) {
	gw := gateway.New()
	release := make(chan struct{})
	var stopped atomic.Bool
	gw.OnClose(func() error {
		<-release
		stopped.Store(true)
		return errors.New("boom")
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = gw.Close() }()
	time.Sleep(20 * time.Millisecond) // the first Close is running the closer
	done := make(chan struct{})
	go func() { _ = gw.Close(); close(done) }()
	select {
	case <-done:
		if !stopped.Load() {
			t.Error("a concurrent Close returned while the background work was still running")
		}
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	<-done
	wg.Wait()
	if !stopped.Load() {
		t.Fatal("closer did not run")
	}
}
