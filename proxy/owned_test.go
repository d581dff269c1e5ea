package proxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type stampKey struct{}

// stamper is an OwnedRoundTripper that records which calls were owned and
// stamps every request's header: in place when it owns the request, on a
// copy otherwise.
type stamper struct {
	next  http.RoundTripper
	mu    sync.Mutex
	owned []bool
}

func (s *stamper) record(owned bool) {
	s.mu.Lock()
	s.owned = append(s.owned, owned)
	s.mu.Unlock()
}

func (s *stamper) calls() []bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.owned)
}

func (s *stamper) RoundTrip(r *http.Request) (*http.Response, error) {
	s.record(false)
	out := r.Clone(r.Context())
	out.Header.Set("X-Stamp", "copy")
	return s.next.RoundTrip(out)
}

func (s *stamper) RoundTripOwned(r *http.Request) (*http.Response, error) {
	s.record(true)
	r.Header.Set("X-Stamp", "owned")
	*r = *r.WithContext(context.WithValue(r.Context(), stampKey{}, true))
	return s.next.RoundTrip(r)
}

func TestOwnedRoundTripper(t *testing.T) {
	var failFirst atomic.Bool
	up := handlerUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		if failFirst.CompareAndSwap(true, false) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("X-Got-Stamp", r.Header.Get("X-Stamp"))
	})
	tests := []struct {
		name      string
		retry     bool
		failFirst bool
		do        bool
		want      []bool
		stamp     string
	}{
		{name: "proxy", want: []bool{true}, stamp: "owned"},
		{name: "proxy with a retry policy", retry: true, want: []bool{true}, stamp: "owned"},
		{name: "retried attempt", retry: true, failFirst: true, want: []bool{true, false}, stamp: "copy"},
		{name: "Do", do: true, want: []bool{false}, stamp: "copy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &stamper{next: testTransport(t)}
			opts := []UpstreamOption{WithTransport(st)}
			if tt.retry {
				opts = append(opts, WithRetry(RetryPolicy{Backoff: time.Millisecond}))
			}
			u, err := NewUpstream("stamped", []string{up.URL}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			failFirst.Store(tt.failFirst)
			var got string
			if tt.do {
				req := httptest.NewRequest("GET", "/x", nil)
				req.Header.Set("X-Caller", "1")
				res, err := u.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				_ = res.Body.Close()
				got = res.Header.Get("X-Got-Stamp")
				if len(req.Header) != 1 {
					t.Errorf("Do modified the caller's header: %v", req.Header)
				}
			} else {
				p, err := New(u, "/x")
				if err != nil {
					t.Fatal(err)
				}
				var ctxSeen bool
				p.rp.ModifyResponse = func(res *http.Response) error {
					ctxSeen, _ = res.Request.Context().Value(stampKey{}).(bool)
					return nil
				}
				srv := front(t, p, nil)
				req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
				res, _ := do(t, req)
				got = res.Header.Get("X-Got-Stamp")
				if tt.stamp == "owned" && !ctxSeen {
					t.Error("the context the transport set on its owned request was lost")
				}
			}
			if calls := st.calls(); !slices.Equal(calls, tt.want) {
				t.Errorf("owned calls %v, want %v", calls, tt.want)
			}
			if got != tt.stamp {
				t.Errorf("upstream saw stamp %q, want %q", got, tt.stamp)
			}
		})
	}
}
