package aggregate_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/aggregate"
	"go.uber.org/goleak"
)

// hang answers only when the request is canceled or release is closed.
func hang(release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
			_, _ = io.WriteString(w, `{"late":true}`)
		}
	}
}

func problemOf(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, body %s", ct, rec.Body)
	}
	var p map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOptionalLegFailure(t *testing.T) {
	users := backend(t, fixed(200, `{"id":1}`))
	broken := backend(t, fixed(503, `{"error":"down"}`))
	a := aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user"),
		aggregate.Call(broken, "/recs").Group("recs").Optional(),
		aggregate.ErrorsField("_errors"),
	)
	rec, info := serve(a, "/agg/1", "id", "1")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if got, want := rec.Body.String(), `{"user":{"id":1},"_errors":{"recs":"status 503"}}`; got != want {
		t.Fatalf("body %s, want %s", got, want)
	}
	if rec.Header().Get(aggregate.CompleteHeader) != "false" || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("headers %v", rec.Header())
	}
	if info.LegFailures != 1 || info.ErrorType != "" {
		t.Fatalf("info: %d failures, error type %q", info.LegFailures, info.ErrorType)
	}
}

func TestRequiredLegFailure(t *testing.T) {
	users := backend(t, fixed(200, `{"id":1}`))
	broken := backend(t, fixed(500, `{"error":"secret internals"}`))
	busy := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Set-Cookie", "lb=1")
		w.Header().Set("X-Internal", "host-3")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	unauthorized := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.Header().Set("Set-Cookie", "s=1")
		w.WriteHeader(http.StatusUnauthorized)
	})
	tests := []struct {
		name   string
		parts  []aggregate.Part
		status int
		check  func(t *testing.T, rec *httptest.ResponseRecorder)
	}{
		{"problem", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(broken, "/").Group("orders")}, 502,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				p := problemOf(t, rec)
				if strings.Contains(rec.Body.String(), "secret") || p["legs"] != nil {
					t.Fatalf("body leaks: %s", rec.Body)
				}
			}},
		{"problem with legs", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(broken, "/").Group("orders"), aggregate.ErrorsField("errors")}, 502,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				p := problemOf(t, rec)
				legs, _ := p["legs"].(map[string]any)
				if legs["orders"] != "status 500" {
					t.Fatalf("legs %v", p["legs"])
				}
			}},
		{"every optional leg failed", []aggregate.Part{aggregate.Call(broken, "/").Group("a").Optional(), aggregate.Call(broken, "/").Group("b").Optional()}, 502,
			func(t *testing.T, rec *httptest.ResponseRecorder) { problemOf(t, rec) }},
		{"pass failure", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(broken, "/").Group("orders"), aggregate.PassFailure()}, 500,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				if rec.Body.String() != `{"error":"secret internals"}` || rec.Header().Get("Content-Type") != "application/json" {
					t.Fatalf("body %s, headers %v", rec.Body, rec.Header())
				}
			}},
		{"pass failure keeps the status's own headers", []aggregate.Part{aggregate.Call(users, "/").Group("user"), aggregate.Call(busy, "/").Group("orders"), aggregate.PassFailure()}, 429,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				h := rec.Header()
				if h.Get("Retry-After") != "7" || h.Get("Set-Cookie") != "" || h.Get("X-Internal") != "" {
					t.Fatalf("headers %v", h)
				}
			}},
		{"pass failure keeps the allowed headers", []aggregate.Part{aggregate.Call(unauthorized, "/").Group("me").ResponseHeaders("Set-Cookie"), aggregate.PassFailure()}, 401,
			func(t *testing.T, rec *httptest.ResponseRecorder) {
				h := rec.Header()
				if h.Get("WWW-Authenticate") != `Bearer realm="api"` || h.Get("Set-Cookie") != "s=1" {
					t.Fatalf("headers %v", h)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, info := serve(aggregate.New(tt.parts...), "/x")
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if rec.Header().Get(aggregate.CompleteHeader) != "false" {
				t.Fatalf("headers %v", rec.Header())
			}
			if info.ErrorType != "INTEGRATION_FAILURE" || info.LegFailures == 0 {
				t.Fatalf("info %+v", info)
			}
			tt.check(t, rec)
		})
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	users := backend(t, fixed(200, `{"id":1}`))
	slow := backend(t, hang(release))

	t.Run("optional leg timeout", func(t *testing.T) {
		a := aggregate.New(
			aggregate.Call(users, "/").Group("user"),
			aggregate.Call(slow, "/").Group("slow").Optional().Timeout(20*time.Millisecond),
			aggregate.ErrorsField("_errors"),
		)
		rec, info := serve(a, "/x")
		if rec.Code != 200 || rec.Body.String() != `{"user":{"id":1},"_errors":{"slow":"timeout"}}` {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if info.UpstreamLatency < 20*time.Millisecond {
			t.Fatalf("latency %v, want the slowest leg's", info.UpstreamLatency)
		}
	})
	t.Run("required leg timeout", func(t *testing.T) {
		a := aggregate.New(
			aggregate.Call(users, "/").Group("user"),
			aggregate.Call(slow, "/").Group("slow").Timeout(20*time.Millisecond),
		)
		rec, info := serve(a, "/x")
		if rec.Code != http.StatusGatewayTimeout || info.ErrorType != "INTEGRATION_TIMEOUT" {
			t.Fatalf("%d %s %q", rec.Code, rec.Body, info.ErrorType)
		}
		problemOf(t, rec)
	})
	t.Run("route deadline", func(t *testing.T) {
		a := aggregate.New(aggregate.Call(users, "/").Group("user"), aggregate.Call(slow, "/").Group("slow").Optional())
		req := httptest.NewRequest("GET", "/x", nil)
		ctx, cancel := context.WithTimeout(req.Context(), 30*time.Millisecond)
		defer cancel()
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req.WithContext(ctx))
		// The optional leg timed out, the required one did not: partial.
		if rec.Code != 200 || rec.Header().Get(aggregate.CompleteHeader) != "false" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("every leg timed out", func(t *testing.T) {
		a := aggregate.New(aggregate.Call(slow, "/").Group("a").Optional(), aggregate.Call(slow, "/").Group("b").Optional())
		req := httptest.NewRequest("GET", "/x", nil)
		ctx, cancel := context.WithTimeout(req.Context(), 30*time.Millisecond)
		defer cancel()
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, req.WithContext(ctx))
		if rec.Code != http.StatusGatewayTimeout {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
}

func TestRequiredFailureCancelsOtherLegs(t *testing.T) {
	started := make(chan struct{})
	canceled := make(chan struct{}, 1)
	slow := backend(t, func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		canceled <- struct{}{}
	})
	broken := backend(t, func(w http.ResponseWriter, r *http.Request) {
		<-started // fail only once the slow leg is in flight
		w.WriteHeader(http.StatusInternalServerError)
	})
	a := aggregate.New(aggregate.Call(slow, "/").Group("slow"), aggregate.Call(broken, "/").Group("broken"))
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec, _ := serve(a, "/x")
		done <- rec
	}()
	select {
	case rec := <-done:
		if rec.Code != http.StatusBadGateway {
			t.Fatalf("status %d", rec.Code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the aggregate waited for the slow leg after a required leg failed")
	}
	select {
	case <-canceled:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow leg was not canceled")
	}
}

func TestClientGoneCancelsEveryLeg(t *testing.T) {
	started := make(chan struct{}, 3)
	canceled := make(chan struct{}, 3)
	h := func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
		canceled <- struct{}{}
	}
	a := aggregate.New(
		aggregate.Call(backend(t, h), "/").Group("a"),
		aggregate.Call(backend(t, h), "/").Group("b").Optional(),
		aggregate.Call(backend(t, h), "/").Group("c"),
	)
	ignore := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequest("GET", "/x", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		a.ServeHTTP(rec, req)
		close(done)
	}()
	for range 3 {
		<-started
	}
	cancel()
	<-done // ServeHTTP returns only once every leg has finished
	for range 3 {
		<-canceled
	}
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Fatalf("wrote %d bytes and %v to a client that went away", rec.Body.Len(), rec.Header())
	}
	// The canceled calls' connections are closed: nothing the request
	// started is still running.
	goleak.VerifyNone(t, ignore)
}

func TestHostileBodies(t *testing.T) {
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	huge := `{"x":"` + strings.Repeat("a", 2<<20) + `"}`
	tests := []struct {
		name   string
		h      http.HandlerFunc
		leg    func(*aggregate.Leg) *aggregate.Leg
		reason string // "" when the leg succeeds
		want   string
	}{
		{"huge with length", fixed(200, huge), nil, "response too large", ""},
		{"huge chunked", func(w http.ResponseWriter, r *http.Request) {
			for range 64 {
				_, _ = io.WriteString(w, strings.Repeat(" ", 32<<10))
				w.(http.Flusher).Flush()
			}
		}, nil, "response too large", ""},
		{"over a leg limit", fixed(200, `{"x":"0123456789"}`), func(l *aggregate.Leg) *aggregate.Leg { return l.MaxBytes(10) }, "response too large", ""},
		{"deep", fixed(200, deep), nil, "JSON nested too deeply", ""},
		{"over a leg depth", fixed(200, `{"a":{"b":{}}}`), func(l *aggregate.Leg) *aggregate.Leg { return l.MaxDepth(2) }, "JSON nested too deeply", ""},
		{"not JSON", fixed(200, `<html>oops</html>`), nil, "invalid JSON", ""},
		{"truncated", fixed(200, `{"a":[1,2`), nil, "invalid JSON", ""},
		{"trailing garbage", fixed(200, `{"a":1} x`), nil, "invalid JSON", ""},
		{"encoded", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = io.WriteString(w, `{}`)
		}, nil, "encoded response", ""},
		{"invalid UTF-8 is repaired", fixed(200, "{\"name\":\"Bj\xf6rn\"}"), nil, "", `{"name":"Bj\ufffdrn"}`},
		{"invalid UTF-8 repaired past the limit", fixed(200, `{"x":"`+strings.Repeat("\xff", 900)+`"}`), func(l *aggregate.Leg) *aggregate.Leg { return l.MaxBytes(1000) }, "response too large", ""},
		{"empty body is null", fixed(200, ``), nil, "", `null`},
		{"missing target", fixed(200, `{"a":1}`), func(l *aggregate.Leg) *aggregate.Leg { return l.Target("data") }, "missing target", ""},
	}
	ok := backend(t, fixed(200, `{"ok":true}`))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leg := aggregate.Call(backend(t, tt.h), "/").Group("leg").Optional()
			if tt.leg != nil {
				leg = tt.leg(leg)
			}
			a, err := aggregate.Compile(aggregate.Call(ok, "/").Group("ok"), leg, aggregate.ErrorsField("_errors"))
			if err != nil {
				t.Fatal(err)
			}
			rec, _ := serve(a, "/x")
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			var want string
			if tt.reason != "" {
				want = `{"ok":{"ok":true},"_errors":{"leg":` + strconv.Quote(tt.reason) + `}}`
			} else {
				want = `{"ok":{"ok":true},"leg":` + tt.want + `}`
			}
			if got := rec.Body.String(); got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatal("invalid JSON")
			}
		})
	}
}

func TestNotAnObject(t *testing.T) {
	a := aggregate.New(
		aggregate.Call(backend(t, fixed(200, `{"a":1}`)), "/"),
		aggregate.Call(backend(t, fixed(200, `[1,2]`)), "/").Name("list").Optional(),
		aggregate.ErrorsField("_errors"),
	)
	rec, _ := serve(a, "/x")
	if got, want := rec.Body.String(), `{"a":1,"_errors":{"list":"not an object"}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestErrorHandler(t *testing.T) {
	var got error
	a := aggregate.New(
		aggregate.Call(backend(t, fixed(500, `{}`)), "/").Group("a"),
		aggregate.ErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			w.WriteHeader(599)
		}),
	)
	rec, _ := serve(a, "/x")
	if rec.Code != 599 || got == nil {
		t.Fatalf("status %d, error %v", rec.Code, got)
	}
	// Outside a gateway there is no Info; nothing panics.
	rec = httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 599 {
		t.Fatalf("status %d", rec.Code)
	}
}
