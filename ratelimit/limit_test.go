package ratelimit

import (
	"strings"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	tests := []struct {
		name     string
		l        Limit
		capacity int64
		interval time.Duration
		str      string
		err      string
	}{
		{"per second", PerSecond(100), 100, 10 * time.Millisecond, "100/1s burst 100", ""},
		{"burst", PerSecond(100).Burst(200), 200, 10 * time.Millisecond, "100/1s burst 200", ""},
		{"per minute", PerMinute(60), 60, time.Second, "60/1m0s burst 60", ""},
		{"per hour", PerHour(7), 7, 514285714286, "7/1h0m0s burst 7", ""},
		{"interval rounds up", Every(3, time.Second), 3, 333333334, "3/1s burst 3", ""},
		{"zero", Limit{}, 1, 0, "unlimited", ""},
		{"zero rate", PerSecond(0).Burst(3), 3, 0, "", "rate must be positive"},
		{"negative burst", PerSecond(1).Burst(-1), 1, time.Second, "", "burst must not be negative"},
		{"zero period", Every(1, 0), 1, 0, "", "period must be positive"},
		{"too fast", Every(10, 5), 10, 1, "", "one request per nanosecond"},
		{"huge burst", PerSecond(1).Burst(1 << 40), 1 << 40, time.Second, "", "burst is too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.Capacity(); got != tt.capacity {
				t.Errorf("Capacity = %d, want %d", got, tt.capacity)
			}
			if got := tt.l.Interval(); got != tt.interval {
				t.Errorf("Interval = %v, want %v", got, tt.interval)
			}
			err := tt.l.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if got := tt.l.String(); got != tt.str {
					t.Errorf("String = %q, want %q", got, tt.str)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Validate = %v, want %q", err, tt.err)
			}
		})
	}
}
