package proxy

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// healthLog records OnHealthChange calls.
type healthLog struct {
	mu  sync.Mutex
	got []string
}

func (h *healthLog) change(upstream, target string, healthy bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	state := "down"
	if healthy {
		state = "up"
	}
	h.got = append(h.got, upstream+" "+target+" "+state)
}

func (h *healthLog) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return strings.Join(h.got, "; ")
}

func TestPassiveEjectionWithBackoff(t *testing.T) {
	clk := newManualClock()
	bad, good := countedUpstream(t, http.StatusBadGateway), countedUpstream(t, http.StatusOK)
	var log healthLog
	p, u := newProxy(t, []string{bad.URL, good.URL}, []UpstreamOption{
		WithClock(clk.Now),
		WithPassiveHealth(PassiveHealth{Failures: 2, Backoff: 10 * time.Second, MaxBackoff: 15 * time.Second}),
		OnHealthChange(log.change),
	})
	send := func(n int) {
		for range n {
			serveProxy(p, "GET", "/", nil)
		}
	}
	send(4) // bad, good, bad (ejected), good
	if bad.hits.Load() != 2 || u.Health()[0].Healthy {
		t.Fatalf("bad target: %d hits, health %+v", bad.hits.Load(), u.Health())
	}
	send(10)
	if bad.hits.Load() != 2 {
		t.Fatalf("ejected target received %d requests", bad.hits.Load()-2)
	}
	clk.Advance(10*time.Second - time.Nanosecond)
	send(4)
	if bad.hits.Load() != 2 {
		t.Fatal("ejection ended early")
	}
	// Back after the backoff; failing again, it is ejected for twice as
	// long, capped at MaxBackoff.
	clk.Advance(time.Nanosecond)
	send(4)
	if bad.hits.Load() != 4 || u.Health()[0].Healthy {
		t.Fatalf("second ejection: %d hits", bad.hits.Load())
	}
	clk.Advance(15*time.Second - time.Nanosecond)
	send(4)
	if bad.hits.Load() != 4 {
		t.Fatal("second ejection shorter than the capped backoff")
	}
	// It recovers: the first success announces it.
	clk.Advance(time.Nanosecond)
	bad.status.Store(http.StatusOK)
	send(4)
	if bad.hits.Load() != 6 || !u.Health()[0].Healthy {
		t.Fatalf("recovered target: %d hits", bad.hits.Load())
	}
	want := "svc " + bad.URL + " down; svc " + bad.URL + " up"
	if log.String() != want {
		t.Fatalf("health changes %q, want %q", log.String(), want)
	}
}

func TestAllTargetsUnhealthyFails503Fast(t *testing.T) {
	clk := newManualClock()
	a, b := countedUpstream(t, 500), countedUpstream(t, 500)
	p, u := newProxy(t, []string{a.URL, b.URL}, []UpstreamOption{
		WithClock(clk.Now),
		WithPassiveHealth(PassiveHealth{Failures: 1}),
	})
	serveProxy(p, "GET", "/", nil)
	serveProxy(p, "GET", "/", nil)
	for range 5 {
		start := time.Now()
		rec, _ := serveProxy(p, "GET", "/", nil)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d", rec.Code)
		}
		if took := time.Since(start); took > time.Second { // a hang would wait for ever
			t.Fatalf("took %v", took)
		}
		if _, err := doGet(t, u, "/"); err == nil || !strings.Contains(err.Error(), "503") {
			t.Fatalf("Do: %v", err)
		}
	}
	if a.hits.Load()+b.hits.Load() != 2 {
		t.Fatal("unhealthy targets were called")
	}
}

func TestActiveHealthChecks(t *testing.T) {
	var healthy sync.Map // target URL -> bool
	check := func(url string, ok bool) { healthy.Store(url, ok) }
	var a, b *counted
	mk := func() *counted {
		c := countedUpstream(t, http.StatusOK)
		c.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/healthz" {
				if ok, _ := healthy.Load(c.URL); ok != true {
					w.WriteHeader(http.StatusServiceUnavailable)
				}
				return
			}
			c.hits.Add(1)
		})
		return c
	}
	a, b = mk(), mk()
	check(a.URL, true)
	check(b.URL, true)
	var log healthLog
	p, u := newProxy(t, []string{a.URL, b.URL}, []UpstreamOption{
		WithHealthCheck(HealthCheck{Path: "/healthz", Interval: time.Hour, HealthyThreshold: 2, UnhealthyThreshold: 2}),
		OnHealthChange(log.change),
	})
	check(b.URL, false)
	// The background loop ran (or runs) one round at start; the rounds
	// below are driven by hand, and thresholds are counted over them.
	for range 3 {
		u.probeAll()
	}
	for range 6 {
		serveProxy(p, "GET", "/", nil)
	}
	if b.hits.Load() != 0 || a.hits.Load() != 6 {
		t.Fatalf("hits a %d b %d", a.hits.Load(), b.hits.Load())
	}
	check(b.URL, true)
	u.probeAll()
	u.probeAll()
	if !u.Health()[1].Healthy {
		t.Fatal("b not back after two passed checks")
	}
	if got := log.String(); got != "svc "+b.URL+" down; svc "+b.URL+" up" {
		t.Fatalf("health changes %q", got)
	}
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if err := u.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestHealthCheckOptionsValidated(t *testing.T) {
	_, err := NewUpstream("svc", []string{"http://127.0.0.1:1"}, WithHealthCheck(HealthCheck{Path: "health"}))
	if err == nil || !strings.Contains(err.Error(), "path") {
		t.Fatalf("error %v", err)
	}
}

func TestCloseInterruptsAHangingCheck(t *testing.T) {
	probed := make(chan struct{}, 1)
	hang := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case probed <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	})
	var log healthLog
	u, err := NewUpstream("svc", []string{hang.URL}, WithTransport(testTransport(t)),
		WithHealthCheck(HealthCheck{Interval: time.Hour, Timeout: time.Hour, UnhealthyThreshold: 1}),
		OnHealthChange(log.change))
	if err != nil {
		t.Fatal(err)
	}
	<-probed
	start := time.Now()
	if err := u.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("Close took %v", took)
	}
	if !u.Health()[0].Healthy || log.String() != "" {
		t.Fatalf("an interrupted check counted: %+v %q", u.Health(), log.String())
	}
}

// TestHealthCheckSendsTheUpstreamHost checks that the probes of an
// upstream configured with Host carry that Host, as its requests do, so a
// virtually hosted target is not taken out for answering 404 to its
// address.
func TestHealthCheckSendsTheUpstreamHost(t *testing.T) {
	vhost := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "api.internal" {
			w.WriteHeader(http.StatusNotFound)
		}
	})
	var log healthLog
	u, err := NewUpstream("svc", []string{vhost.URL}, WithTransport(testTransport(t)), Host("api.internal"),
		WithHealthCheck(HealthCheck{Interval: time.Hour, UnhealthyThreshold: 1}), OnHealthChange(log.change))
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.probeAll()
	if !u.Health()[0].Healthy || log.String() != "" {
		t.Fatalf("target taken out: %+v %q", u.Health(), log.String())
	}
}
