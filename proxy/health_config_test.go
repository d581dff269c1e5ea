package proxy

import (
	"strings"
	"testing"
	"time"
)

// TestNegativeHealthSettings checks that negative health settings are
// refused rather than replaced by defaults.
func TestNegativeHealthSettings(t *testing.T) {
	tests := []struct {
		name string
		opt  UpstreamOption
	}{
		{"passive failures", WithPassiveHealth(PassiveHealth{Failures: -1})},
		{"passive backoff", WithPassiveHealth(PassiveHealth{Backoff: -time.Second})},
		{"passive max backoff", WithPassiveHealth(PassiveHealth{MaxBackoff: -time.Second})},
		{"check interval", WithHealthCheck(HealthCheck{Interval: -time.Second})},
		{"check timeout", WithHealthCheck(HealthCheck{Timeout: -time.Second})},
		{"check healthy threshold", WithHealthCheck(HealthCheck{HealthyThreshold: -1})},
		{"check unhealthy threshold", WithHealthCheck(HealthCheck{UnhealthyThreshold: -2})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := NewUpstream("svc", []string{"http://127.0.0.1:1"}, tt.opt)
			if err == nil {
				u.Close()
				t.Fatal("NewUpstream accepted a negative setting")
			}
			if !strings.Contains(err.Error(), "negative") {
				t.Errorf("error %q does not say what is wrong", err)
			}
		})
	}
}
