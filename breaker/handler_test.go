package breaker_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestHandler(t *testing.T) {
	b, c, _ := newBreaker(t, breaker.Settings{ConsecutiveFailures: 2, OpenInterval: 90 * time.Second})
	status, calls := http.StatusInternalServerError, 0
	h := b.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(status)
	}))
	serve := func() (*httptest.ResponseRecorder, *reqctx.Info) {
		info := &reqctx.Info{}
		req := httptest.NewRequest("GET", "/", nil)
		req = req.WithContext(reqctx.With(req.Context(), info))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec, info
	}
	serve()
	serve()
	if calls != 2 {
		t.Fatalf("%d calls", calls)
	}
	c.Advance(30 * time.Second)
	rec, info := serve()
	if calls != 2 {
		t.Fatal("an open breaker called the handler")
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "60" ||
		rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("rejection: %d %v", rec.Code, rec.Header())
	}
	var p map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p["status"] != float64(503) {
		t.Fatalf("body %s", rec.Body)
	}
	if info.ErrorType != "CIRCUIT_OPEN" {
		t.Fatalf("error type %q", info.ErrorType)
	}
	// After the interval, a successful probe closes it.
	c.Advance(time.Minute)
	status = http.StatusOK
	if rec, _ := serve(); rec.Code != http.StatusOK {
		t.Fatalf("probe answered %d", rec.Code)
	}
	wantState(t, b, breaker.StateClosed)
}

func TestHandlerPanicCountsAsFailure(t *testing.T) {
	b, _, _ := newBreaker(t, breaker.Settings{ConsecutiveFailures: 1})
	h := b.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic swallowed")
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	}()
	wantState(t, b, breaker.StateOpen)
}

func TestRetryAfterSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "1"}, {-time.Second, "1"}, {time.Millisecond, "1"}, {time.Second, "1"},
		{time.Second + 1, "2"}, {90 * time.Second, "90"},
	}
	for _, tt := range tests {
		if got := breaker.RetryAfterSeconds(tt.d); got != tt.want {
			t.Errorf("RetryAfterSeconds(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}
