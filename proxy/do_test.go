package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/problem"
)

func doGet(t *testing.T, u *Upstream, target string) (*http.Response, error) {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.RequestURI = ""
	req.URL.Scheme, req.URL.Host = "", ""
	return u.Do(req)
}

func TestDoJoinsBaseAndReturnsResponse(t *testing.T) {
	up := echoUpstream(t, "a")
	u, err := NewUpstream("users", []string{up.URL + "/api"}, WithTransport(testTransport(t)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := doGet(t, u, "/users/42?x=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var s seen
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	if s.RequestURI != "/api/users/42?x=1" {
		t.Fatalf("upstream saw %q", s.RequestURI)
	}
}

func TestDoErrorsAreProblems(t *testing.T) {
	down := closedPort(t)
	tests := []struct {
		name   string
		opts   []UpstreamOption
		status int
		is     error
	}{
		{"refused", nil, http.StatusBadGateway, nil},
		{"breaker open", []UpstreamOption{WithBreaker(breaker.Settings{ConsecutiveFailures: 1})}, http.StatusServiceUnavailable, breaker.ErrOpen},
		{"all ejected", []UpstreamOption{WithPassiveHealth(PassiveHealth{Failures: 1})}, http.StatusServiceUnavailable, ErrNoHealthyTarget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := NewUpstream("down", []string{down}, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := doGet(t, u, "/"); err == nil {
				t.Fatal("no error")
			}
			_, err = doGet(t, u, "/")
			var p *problem.Problem
			if !errors.As(err, &p) || p.Status != tt.status {
				t.Fatalf("error %v, want a %d problem", err, tt.status)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("error %v does not match %v", err, tt.is)
			}
			if tt.status == http.StatusServiceUnavailable && p.Header.Get("Retry-After") == "" {
				t.Fatal("no Retry-After")
			}
		})
	}
}

func TestDoCanceledReturnsContextError(t *testing.T) {
	up := echoUpstream(t, "a")
	u, _ := NewUpstream("users", []string{up.URL}, WithTransport(testTransport(t)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, "GET", "/", nil)
	req.RequestURI = ""
	_, err := u.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v", err)
	}
	var p *problem.Problem
	if errors.As(err, &p) {
		t.Fatal("a canceled call has nobody to render a problem for")
	}
}
