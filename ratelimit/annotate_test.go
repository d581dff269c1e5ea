package ratelimit

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

func TestAnnotate(t *testing.T) {
	tests := []struct {
		name      string
		decisions [][2]string // limiter name, decision, in order
		limiter   string
		decision  string
		errorType string
	}{
		{"allowed", [][2]string{{"a", decisionAllowed}}, "", decisionAllowed, ""},
		{"throttled", [][2]string{{"a", decisionThrottled}}, "a", decisionThrottled, "THROTTLED"},
		{"quota", [][2]string{{"a", decisionQuota}}, "a", decisionQuota, "QUOTA_EXCEEDED"},
		{"fail open after allowed", [][2]string{{"a", decisionAllowed}, {"b", decisionFailOpen}}, "b", decisionFailOpen, ""},
		{"allowed keeps fail open", [][2]string{{"a", decisionFailOpen}, {"b", decisionAllowed}}, "a", decisionFailOpen, ""},
		{"refusal after fail open", [][2]string{{"a", decisionFailOpen}, {"b", decisionThrottled}}, "b", decisionThrottled, "THROTTLED"},
		{"fail closed", [][2]string{{"a", decisionAllowed}, {"b", decisionFailClosed}}, "b", decisionFailClosed, "RATE_LIMIT_UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &reqctx.Info{}
			for _, d := range tt.decisions {
				annotate(info, d[0], d[1])
			}
			if info.Limiter != tt.limiter || info.LimitDecision != tt.decision || info.ErrorType != tt.errorType {
				t.Fatalf("got %q %q %q", info.Limiter, info.LimitDecision, info.ErrorType)
			}
		})
	}
	annotate(nil, "a", decisionThrottled) // must not panic
}

// TestStackedLimitsAnnotate runs a request through a gateway-wide limit
// and a per-key limit: both are enforced and the one that refuses is the
// one recorded.
func TestStackedLimitsAnnotate(t *testing.T) {
	c := newClock(epoch)
	outer := newLimiter(t, PerMinute(3), Name("gateway"), Clock(c.Now))
	inner := newLimiter(t, PerMinute(1), Name("per-client"), ByHeader("X-Client"), Clock(c.Now))
	h := outer.Handler(inner.Handler(ok))
	do := func(client string) (*reqctx.Info, int) {
		info := &reqctx.Info{}
		r := get()
		r.Header.Set("X-Client", client)
		r = r.WithContext(reqctx.With(r.Context(), info))
		return info, serve(h, r).Code
	}
	steps := []struct {
		client, limiter, decision string
		code                      int
	}{
		{"a", "", decisionAllowed, 204},
		{"a", "per-client", decisionThrottled, 429},
		{"b", "", decisionAllowed, 204},
		{"c", "gateway", decisionThrottled, 429},
	}
	for i, s := range steps {
		info, code := do(s.client)
		if code != s.code || info.Limiter != s.limiter || info.LimitDecision != s.decision {
			t.Fatalf("step %d: %d %q %q", i, code, info.Limiter, info.LimitDecision)
		}
	}
}

func TestThrottle(t *testing.T) {
	mw := Throttle(PerMinute(1), ByIP())
	h1, h2 := mw(ok), mw(ok)
	if v, isV := h1.(interface{ Validate() error }); isV && v.Validate() != nil {
		t.Fatal(v.Validate())
	}
	if code := serve(h1, get()).Code; code != 204 {
		t.Fatalf("first: %d", code)
	}
	if code := serve(h2, get()).Code; code != 429 {
		t.Fatalf("handlers of one Throttle do not share state: %d", code)
	}

	bad := Throttle(PerSecond(-1))(ok)
	v, isV := bad.(interface{ Validate() error })
	if !isV || v.Validate() == nil || !strings.Contains(v.Validate().Error(), "rate must be positive") {
		t.Fatalf("invalid configuration not reported: %T", bad)
	}
	rec := serve(bad, get())
	if rec.Code != http.StatusInternalServerError || rec.Header().Get("Content-Type") != problem.ContentType ||
		strings.Contains(rec.Body.String(), "rate") {
		t.Fatalf("misconfigured handler answered %d %s", rec.Code, rec.Body)
	}
}
