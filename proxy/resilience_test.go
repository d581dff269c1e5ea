package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// serveProxy sends one request through p with a fresh Info and returns the
// recorder and the Info.
func serveProxy(p http.Handler, method, target string, body io.Reader) (*httptest.ResponseRecorder, *reqctx.Info) {
	info := &reqctx.Info{RequestID: "r1"}
	req := httptest.NewRequest(method, target, body)
	req = req.WithContext(reqctx.With(req.Context(), info))
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	return rec, info
}

func newProxy(t testing.TB, targets []string, uopts []UpstreamOption, opts ...Option) (*Proxy, *Upstream) {
	t.Helper()
	u, err := NewUpstream("svc", targets, append([]UpstreamOption{WithTransport(testTransport(t))}, uopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = u.Close() })
	p, err := New(u, "", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p, u
}

// TestFaultsEndWithinDeadline sends requests to upstreams failing in every
// way, through a proxy and through Do, and checks the answer and that each
// request ends within its deadline.
func TestFaultsEndWithinDeadline(t *testing.T) {
	const deadline = 400 * time.Millisecond
	// slack absorbs scheduling delays on a loaded machine; a request that
	// ignored the deadline would wait for the hanging upstream far longer.
	const slack = 2 * time.Second
	faults := []struct {
		name   string
		target func(t *testing.T) string
		status int
	}{
		{"down", closedPort, http.StatusBadGateway},
		{"closing", func(t *testing.T) string { return closingUpstream(t) }, http.StatusBadGateway},
		{"resetting", func(t *testing.T) string { return resettingUpstream(t) }, http.StatusBadGateway},
		{"hanging", func(t *testing.T) string { return hangingUpstream(t).URL }, http.StatusGatewayTimeout},
		{"slow", func(t *testing.T) string { return slowUpstream(t, 5*time.Second) }, http.StatusGatewayTimeout},
		{"500 storm", func(t *testing.T) string { return countedUpstream(t, 500).URL }, http.StatusInternalServerError},
	}
	opts := []UpstreamOption{
		WithTimeout(deadline),
		WithRetry(RetryPolicy{Attempts: 3, Backoff: time.Millisecond, PerTryTimeout: 100 * time.Millisecond}),
		WithBreaker(breaker.Settings{ConsecutiveFailures: 1000}),
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			target := f.target(t)
			p, u := newProxy(t, []string{target}, opts)
			for range 3 {
				start := time.Now()
				rec, _ := serveProxy(p, "GET", "/x", nil)
				if took := time.Since(start); took > deadline+slack {
					t.Errorf("proxy took %v", took)
				}
				if rec.Code != f.status {
					t.Errorf("proxy answered %d, want %d", rec.Code, f.status)
				}

				start = time.Now()
				res, err := doGet(t, u, "/x")
				if took := time.Since(start); took > deadline+slack {
					t.Errorf("Do took %v", took)
				}
				if f.status == http.StatusInternalServerError {
					if err != nil || res.StatusCode != 500 {
						t.Fatalf("Do: %v", err)
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					continue
				}
				var pr *problem.Problem
				if !errors.As(err, &pr) || pr.Status != f.status {
					t.Errorf("Do error %v, want %d", err, f.status)
				}
			}
		})
	}
}

func TestRetryGoesToAnotherTarget(t *testing.T) {
	bad, good := countedUpstream(t, http.StatusServiceUnavailable), countedUpstream(t, http.StatusOK)
	p, _ := newProxy(t, []string{bad.URL, good.URL}, []UpstreamOption{
		WithRetry(RetryPolicy{Backoff: time.Millisecond}),
	})
	for range 6 {
		rec, info := serveProxy(p, "GET", "/x", nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		if info.Retries > 1 {
			t.Fatalf("%d retries", info.Retries)
		}
	}
	if bad.hits.Load() != 3 || good.hits.Load() != 6 {
		t.Fatalf("hits bad %d good %d", bad.hits.Load(), good.hits.Load())
	}
	// POST is not idempotent: it is not retried.
	rec, info := serveProxy(p, "POST", "/x", nil)
	rec2, info2 := serveProxy(p, "POST", "/x", nil)
	if rec.Code+rec2.Code != 200+503 || info.Retries+info2.Retries != 0 {
		t.Fatalf("POST answered %d and %d after %d retries", rec.Code, rec2.Code, info.Retries+info2.Retries)
	}
}

func TestRetryOnlyReplayableBodies(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	flaky := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		n := len(bodies)
		mu.Unlock()
		if n%2 == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	pol := RetryPolicy{AllMethods: true, Backoff: time.Millisecond}

	// A proxied request's body is the client's stream: it cannot be sent
	// twice, so the 502 is passed on.
	p, u := newProxy(t, []string{flaky.URL}, []UpstreamOption{WithRetry(pol)})
	rec, info := serveProxy(p, "PUT", "/x", strings.NewReader("payload"))
	if rec.Code != http.StatusBadGateway || info.Retries != 0 {
		t.Fatalf("streamed body: %d after %d retries", rec.Code, info.Retries)
	}

	// Do with a request whose GetBody is set replays it.
	mu.Lock()
	bodies = nil
	mu.Unlock()
	req, _ := http.NewRequest("POST", "/x", bytes.NewReader([]byte("payload")))
	req.URL.Scheme, req.URL.Host = "", ""
	res, err := u.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("replayed: %v", err)
	}
	res.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(bodies, ",") != "payload,payload" {
		t.Fatalf("upstream saw bodies %q", bodies)
	}
}

func TestRetryBudget(t *testing.T) {
	storm := countedUpstream(t, http.StatusServiceUnavailable)
	p, _ := newProxy(t, []string{storm.URL}, []UpstreamOption{
		WithRetry(RetryPolicy{Attempts: 5, Backoff: time.Millisecond, Budget: 0.1, MinRetries: 2}),
	})
	retries := 0
	for range 20 {
		_, info := serveProxy(p, "GET", "/", nil)
		retries += info.Retries
	}
	// The pool starts full with 2 and gains 0.1 per request (capped at 2).
	if retries < 2 || retries > 4 {
		t.Fatalf("%d retries for 20 requests", retries)
	}
	if got := storm.hits.Load(); got != int64(20+retries) {
		t.Fatalf("upstream saw %d requests", got)
	}
}

func TestBackoffIsJitteredAndBounded(t *testing.T) {
	r, err := newRetrier(RetryPolicy{Backoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		n        int
		min, max time.Duration
	}{
		{1, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, 100 * time.Millisecond, 200 * time.Millisecond},
		{3, 150 * time.Millisecond, 300 * time.Millisecond},
		{10, 150 * time.Millisecond, 300 * time.Millisecond},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := r.backoff(tt.n)
			if d < tt.min || d > tt.max {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", tt.n, d, tt.min, tt.max)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Fatalf("backoff(%d) is not jittered: %v", tt.n, seen)
		}
	}
}

func TestPerTryTimeoutMovesOn(t *testing.T) {
	hang, good := hangingUpstream(t), countedUpstream(t, http.StatusOK)
	p, _ := newProxy(t, []string{hang.URL, good.URL}, []UpstreamOption{
		WithRetry(RetryPolicy{Backoff: time.Millisecond, PerTryTimeout: 50 * time.Millisecond}),
	})
	for range 2 {
		start := time.Now()
		rec, _ := serveProxy(p, "GET", "/", nil)
		if rec.Code != http.StatusOK || rec.Body.String() != "answer" {
			t.Fatalf("status %d body %q", rec.Code, rec.Body)
		}
		if took := time.Since(start); took > 3*time.Second { // a hang would wait for ever
			t.Fatalf("took %v", took)
		}
	}
}

func TestBreakerGuardsProxy(t *testing.T) {
	clk := newManualClock()
	up := countedUpstream(t, http.StatusInternalServerError)
	var changes []string
	p, u := newProxy(t, []string{up.URL}, []UpstreamOption{
		WithClock(clk.Now),
		WithBreaker(breaker.Settings{ConsecutiveFailures: 3, OpenInterval: 20 * time.Second,
			OnStateChange: func(name, from, to string) { changes = append(changes, name+":"+from+"->"+to) }}),
	})
	for range 3 {
		if rec, _ := serveProxy(p, "GET", "/", nil); rec.Code != 500 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	clk.Advance(5 * time.Second)
	rec, info := serveProxy(p, "GET", "/", nil)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "15" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("open breaker: %d %v", rec.Code, rec.Header())
	}
	if info.ErrorType != "CIRCUIT_OPEN" || up.hits.Load() != 3 {
		t.Fatalf("error type %q, %d upstream hits", info.ErrorType, up.hits.Load())
	}
	if u.Breaker().State() != breaker.StateOpen {
		t.Fatal("state not readable")
	}
	clk.Advance(15 * time.Second)
	up.status.Store(http.StatusOK)
	if rec, _ := serveProxy(p, "GET", "/", nil); rec.Code != http.StatusOK {
		t.Fatalf("probe answered %d", rec.Code)
	}
	want := "svc:closed->open svc:open->half-open svc:half-open->closed"
	if strings.Join(changes, " ") != want {
		t.Fatalf("changes %v", changes)
	}
}

func TestPerRouteBreaker(t *testing.T) {
	up := countedUpstream(t, http.StatusBadGateway)
	u, _ := NewUpstream("svc", []string{up.URL}, WithTransport(testTransport(t)))
	b, _ := breaker.New(breaker.Settings{Name: "svc /a", ConsecutiveFailures: 1})
	a, _ := New(u, "/a", Breaker(b))
	other, _ := New(u, "/b")
	serveProxy(a, "GET", "/", nil)
	if rec, _ := serveProxy(a, "GET", "/", nil); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("route a: %d", rec.Code)
	}
	if rec, _ := serveProxy(other, "GET", "/", nil); rec.Code != http.StatusBadGateway {
		t.Fatalf("route b: %d", rec.Code)
	}
}

func TestClientCancelIsNotAFailure(t *testing.T) {
	hang := hangingUpstream(t)
	p, u := newProxy(t, []string{hang.URL}, []UpstreamOption{
		WithBreaker(breaker.Settings{ConsecutiveFailures: 1}),
		WithPassiveHealth(PassiveHealth{Failures: 1}),
	})
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
		stop := time.AfterFunc(10*time.Millisecond, cancel) // the client goes away
		p.ServeHTTP(httptest.NewRecorder(), req)
		stop.Stop()
		cancel()
	}
	if u.Breaker().State() != breaker.StateClosed || !u.Health()[0].Healthy {
		t.Fatalf("client cancellations counted: breaker %v health %+v", u.Breaker().State(), u.Health())
	}
}

// TestFlappingTarget sends a stream of requests to a backend that
// alternates between failing and answering, through a breaker, retries and
// passive health: every request ends within its deadline with an answer
// from the set the configuration allows, and the breaker's changes come in
// valid pairs.
func TestFlappingTarget(t *testing.T) {
	var mu sync.Mutex
	n := 0
	flap := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		phase := (n / 4) % 2
		mu.Unlock()
		if phase == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	clk := newManualClock()
	var changes []string
	var cmu sync.Mutex
	p, u := newProxy(t, []string{flap.URL}, []UpstreamOption{
		WithClock(clk.Now),
		WithTimeout(time.Second),
		WithRetry(RetryPolicy{Backoff: time.Millisecond, MinRetries: 5}),
		WithBreaker(breaker.Settings{ConsecutiveFailures: 3, OpenInterval: time.Second, OnStateChange: func(_, from, to string) {
			cmu.Lock()
			changes = append(changes, from+">"+to)
			cmu.Unlock()
		}}),
	})
	counts := map[int]int{}
	for i := range 200 {
		start := time.Now()
		rec, _ := serveProxy(p, "GET", "/", nil)
		if took := time.Since(start); took > 3*time.Second { // the 1s deadline plus scheduling slack
			t.Fatalf("request %d took %v", i, took)
		}
		counts[rec.Code]++
		clk.Advance(150 * time.Millisecond)
	}
	for code := range counts {
		if code != 200 && code != 503 {
			t.Fatalf("unexpected status %d (%v)", code, counts)
		}
	}
	if counts[200] == 0 || counts[503] == 0 {
		t.Fatalf("statuses %v", counts)
	}
	cmu.Lock()
	defer cmu.Unlock()
	valid := map[string]bool{"closed>open": true, "open>half-open": true, "half-open>open": true, "half-open>closed": true}
	state := "closed"
	for _, c := range changes {
		from, _, _ := strings.Cut(c, ">")
		if !valid[c] || from != state {
			t.Fatalf("invalid change %q from %q in %v", c, state, changes)
		}
		_, state, _ = strings.Cut(c, ">")
	}
	if len(changes) < 3 {
		t.Fatalf("the breaker never cycled: %v", changes)
	}
	if got := u.Breaker().State().String(); got != state {
		t.Fatalf("state %s, last change to %s", got, state)
	}
}

func TestDoStageVariableTarget(t *testing.T) {
	up := echoUpstream(t, "a")
	host := strings.TrimPrefix(up.URL, "http://")
	u, err := NewUpstream("users", []string{"http://${stageVariables.host}/${stageVariables.base}"},
		WithTransport(testTransport(t)), WithRetry(RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	info := &reqctx.Info{StageVars: map[string]string{"host": host, "base": "v2"}}
	req := httptest.NewRequest("GET", "/users/1", nil)
	req.RequestURI = ""
	req = req.WithContext(reqctx.With(req.Context(), info))
	res, err := u.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `"requestURI":"/v2/users/1"`) {
		t.Fatalf("upstream saw %s", body)
	}
	// Without the variables, the call is a 500 problem.
	req = httptest.NewRequest("GET", "/users/1", nil)
	req.RequestURI = ""
	_, err = u.Do(req)
	var p *problem.Problem
	if !errors.As(err, &p) || p.Status != http.StatusInternalServerError || !errors.Is(err, ErrStageVariable) {
		t.Fatalf("error %v", err)
	}
}

func TestRetryMovesToAnotherBasePath(t *testing.T) {
	bad := countedUpstream(t, http.StatusBadGateway)
	good := echoUpstream(t, "good")
	u, err := NewUpstream("svc", []string{bad.URL + "/v1", good.URL + "/v%202"},
		WithTransport(testTransport(t)), WithRetry(RetryPolicy{Backoff: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(u, "/items/:id")
	if err != nil {
		t.Fatal(err)
	}
	info := &reqctx.Info{Params: reqctx.Params{{Key: "id", Value: "a/b c"}}}
	req := httptest.NewRequest("GET", "/whatever?q=1", nil)
	req = req.WithContext(reqctx.With(req.Context(), info))
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || info.Retries != 1 {
		t.Fatalf("status %d after %d retries: %s", rec.Code, info.Retries, rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"requestURI":"/v%202/items/a%2Fb%20c?q=1"`) {
		t.Fatalf("upstream saw %s", rec.Body)
	}
}

// TestNoRetryOnceTheResponseStarted checks that a response that fails
// mid-body is not retried: its status and first bytes already went to the
// client.
func TestNoRetryOnceTheResponseStarted(t *testing.T) {
	n := 0
	var mu sync.Mutex
	broken := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		mu.Unlock()
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("partial"))
		http.NewResponseController(w).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	p, _ := newProxy(t, []string{broken.URL}, []UpstreamOption{
		WithRetry(RetryPolicy{Backoff: time.Millisecond}),
	}, ErrorLog(log.New(io.Discard, "", 0)))
	rec, info := serveProxy(p, "GET", "/", nil)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "partial") || info.Retries != 0 {
		t.Fatalf("status %d body %q retries %d", rec.Code, rec.Body, info.Retries)
	}
	mu.Lock()
	defer mu.Unlock()
	if n != 1 {
		t.Fatalf("upstream called %d times", n)
	}
}

func TestSameHostTargetsAreTrackedApart(t *testing.T) {
	clk := newManualClock()
	srv := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/bad/") {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	p, u := newProxy(t, []string{srv.URL + "/good", srv.URL + "/bad"}, []UpstreamOption{
		WithClock(clk.Now), WithPassiveHealth(PassiveHealth{Failures: 1}),
	})
	for range 4 {
		serveProxy(p, "GET", "/x", nil)
	}
	if h := u.Health(); !h[0].Healthy || h[1].Healthy {
		t.Fatalf("health %+v", h)
	}
}
