package proxy

import (
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/breaker"
)

func members(n int) []*member {
	ms := make([]*member, n)
	for i := range ms {
		ms[i] = &member{t: &target{raw: "t"}}
	}
	return ms
}

func TestRoundRobinTakesTurns(t *testing.T) {
	var rr roundRobin
	ms := members(3)
	var got []int
	for range 7 {
		got = append(got, rr.pick(ms))
	}
	if want := []int{0, 1, 2, 0, 1, 2, 0}; !equalInts(got, want) {
		t.Fatalf("picks %v, want %v", got, want)
	}
}

func TestWeightedIsSmoothAndProportional(t *testing.T) {
	tests := []struct {
		weights []int
		cycle   []int
	}{
		{[]int{1, 1}, []int{0, 1}},
		{[]int{3, 1}, []int{0, 0, 1, 0}},
		{[]int{5, 1, 1}, []int{0, 0, 1, 0, 2, 0, 0}},
	}
	for _, tt := range tests {
		w, err := newWeighted(tt.weights)
		if err != nil {
			t.Fatal(err)
		}
		ms := members(len(tt.weights))
		var got []int
		for range 2 * len(tt.cycle) {
			got = append(got, w.pick(ms))
		}
		want := append(append([]int(nil), tt.cycle...), tt.cycle...)
		if !equalInts(got, want) {
			t.Errorf("weights %v: picks %v, want %v", tt.weights, got, want)
		}
	}
	for _, bad := range [][]int{{0, 1}, {-1}, {1 << 16, 1}} {
		if _, err := newWeighted(bad); err == nil {
			t.Errorf("weights %v accepted", bad)
		}
	}
}

func TestLeastOutstandingAvoidsBusyTargets(t *testing.T) {
	var lo leastOutstanding
	ms := members(4)
	ms[0].inflight.Store(10)
	ms[1].inflight.Store(10)
	ms[2].inflight.Store(10)
	counts := make([]int, 4)
	for range 4000 {
		counts[lo.pick(ms)]++
	}
	// Target 3 wins every draw it is part of: half of them.
	if counts[3] < 1800 || counts[3] > 2200 {
		t.Fatalf("idle target picked %d of 4000 times (%v)", counts[3], counts)
	}
	for i := range 3 {
		if counts[i] == 0 {
			t.Fatalf("busy target %d never picked: %v", i, counts)
		}
	}
	if lo.pick(members(1)) != 0 {
		t.Fatal("single target")
	}
}

func TestBalancerOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []UpstreamOption
		err  string
	}{
		{"weights count", []UpstreamOption{WithWeights(1)}, "one weight per target"},
		{"weights with least outstanding", []UpstreamOption{WithWeights(1, 2), WithBalancer(LeastOutstanding)}, "round-robin"},
		{"unknown balancer", []UpstreamOption{WithBalancer(Balancer(9))}, "unknown balancer"},
		{"negative timeout", []UpstreamOption{WithTimeout(-1)}, "negative timeout"},
		{"bad budget", []UpstreamOption{WithRetry(RetryPolicy{Budget: 2})}, "budget"},
		{"negative attempts", []UpstreamOption{WithRetry(RetryPolicy{Attempts: -1})}, "negative"},
		{"bad breaker", []UpstreamOption{WithBreaker(breaker.Settings{FailureRatio: 2})}, "FailureRatio"},
		{"ok", []UpstreamOption{WithWeights(1, 2)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewUpstream("svc", []string{"http://a:1", "http://b:1"}, tt.opts...)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
		})
	}
}

func TestChooseSkipsUnhealthy(t *testing.T) {
	u, err := NewUpstream("svc", []string{"http://a:1", "http://b:1", "http://c:1"}, WithPassiveHealth(PassiveHealth{}))
	if err != nil {
		t.Fatal(err)
	}
	u.members[1].down.Store(true)
	for range 10 {
		if i := u.choose(-1); i == 1 {
			t.Fatal("picked a down target")
		}
	}
	if got := u.choose(0); got != 2 {
		t.Fatalf("retry after a went to %d, want c", got)
	}
	u.members[0].down.Store(true)
	u.members[2].down.Store(true)
	if got := u.choose(-1); got != -1 {
		t.Fatalf("picked %d with every target down", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestProxyRetryOptionValidated(t *testing.T) {
	u, _ := NewUpstream("svc", []string{"http://a:1"})
	if _, err := New(u, "", Retry(RetryPolicy{Budget: -1})); err == nil || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("error %v", err)
	}
}
