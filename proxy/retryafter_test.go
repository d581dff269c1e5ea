package proxy

import (
	"net/http"
	"testing"
	"time"
)

// TestRetryCutsOffAStalledDiscardedBody sends a request to a target that
// answers 503 and then stalls in the middle of its body: the retry must go
// to the other target at once rather than wait for the discarded body.
func TestRetryCutsOffAStalledDiscardedBody(t *testing.T) {
	release := make(chan struct{})
	stall := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("partial"))
		_ = http.NewResponseController(w).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) }) // before the upstream's Close
	ok := countedUpstream(t, http.StatusOK)
	for _, per := range []time.Duration{0, time.Minute} {
		p, _ := newProxy(t, []string{stall.URL, ok.URL}, []UpstreamOption{
			WithRetry(RetryPolicy{Backoff: time.Millisecond, PerTryTimeout: per}),
		})
		done := make(chan int, 1)
		go func() {
			rec, _ := serveProxy(p, "GET", "/x", nil)
			done <- rec.Code
		}()
		select {
		case code := <-done:
			if code != http.StatusOK {
				t.Fatalf("per-try %v: status %d, want 200 from the other target", per, code)
			}
		case <-time.After(3 * time.Second):
			close(release)
			release = make(chan struct{})
			<-done
			t.Fatalf("per-try %v: the retry waited for the stalled body of the discarded answer", per)
		}
	}
}

// TestRetryHonoursRetryAfter checks that a retry to the same target waits
// for the Retry-After of the answer, and that an answer asking for longer
// than MaxBackoff is passed on without a retry.
func TestRetryHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		retries    int
		minTook    time.Duration
	}{
		{"none", "", 2, 0},
		{"short", "1", 2, 2 * time.Second},
		{"too long", "120", 0, 0},
		{"date too far", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 0, 0},
		{"malformed", "soon", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			p, _ := newProxy(t, []string{up.URL}, []UpstreamOption{
				WithRetry(RetryPolicy{Backoff: time.Millisecond, MaxBackoff: 5 * time.Second}),
			})
			start := time.Now()
			rec, info := serveProxy(p, "GET", "/x", nil)
			took := time.Since(start)
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != tt.retryAfter {
				t.Fatalf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
			}
			if info.Retries != tt.retries {
				t.Fatalf("retries %d, want %d", info.Retries, tt.retries)
			}
			if took < tt.minTook {
				t.Fatalf("took %v, want at least %v", took, tt.minTook)
			}
		})
	}
}

// TestRetryAfterDoesNotHoldBackAnotherTarget checks that the Retry-After of
// one target does not delay a retry sent to another.
func TestRetryAfterDoesNotHoldBackAnotherTarget(t *testing.T) {
	busy := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	ok := countedUpstream(t, http.StatusOK)
	p, _ := newProxy(t, []string{busy.URL, ok.URL}, []UpstreamOption{
		WithRetry(RetryPolicy{Backoff: time.Millisecond}),
	})
	for range 4 {
		start := time.Now()
		rec, _ := serveProxy(p, "GET", "/x", nil)
		if rec.Code != http.StatusOK || time.Since(start) > time.Second {
			t.Fatalf("status %d after %v", rec.Code, time.Since(start))
		}
	}
}
