package ratelimit

import (
	"strings"
	"testing"
	"time"
)

func TestQuotaWindow(t *testing.T) {
	d := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name       string
		q          Quota
		at         string
		start, end string
	}{
		{"day", Daily(10), "2025-01-15T12:00:00Z", "2025-01-15T00:00:00Z", "2025-01-16T00:00:00Z"},
		{"day first instant", Daily(10), "2025-01-15T00:00:00Z", "2025-01-15T00:00:00Z", "2025-01-16T00:00:00Z"},
		{"day last instant", Daily(10), "2025-01-15T23:59:59Z", "2025-01-15T00:00:00Z", "2025-01-16T00:00:00Z"},
		{"day west", Daily(10).Offset(-5 * time.Hour), "2025-01-15T03:00:00Z", "2025-01-14T05:00:00Z", "2025-01-15T05:00:00Z"},
		{"day east", Daily(10).Offset(9 * time.Hour), "2025-01-15T16:00:00Z", "2025-01-15T15:00:00Z", "2025-01-16T15:00:00Z"},
		{"week from wednesday", Weekly(10), "2025-01-15T12:00:00Z", "2025-01-13T00:00:00Z", "2025-01-20T00:00:00Z"},
		{"week on monday", Weekly(10), "2025-01-13T00:00:00Z", "2025-01-13T00:00:00Z", "2025-01-20T00:00:00Z"},
		{"week on sunday", Weekly(10), "2025-01-19T23:59:59Z", "2025-01-13T00:00:00Z", "2025-01-20T00:00:00Z"},
		{"week before epoch", Weekly(10), "1969-12-31T00:00:00Z", "1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z"},
		{"month", Monthly(10), "2025-01-15T12:00:00Z", "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"},
		{"february leap", Monthly(10), "2024-02-29T12:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{"december", Monthly(10), "2025-12-31T23:00:00Z", "2025-12-01T00:00:00Z", "2026-01-01T00:00:00Z"},
		{"month offset", Monthly(10).Offset(2 * time.Hour), "2025-01-31T23:00:00Z", "2025-01-31T22:00:00Z", "2025-02-28T22:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.q.Validate(); err != nil {
				t.Fatal(err)
			}
			start, end := tt.q.Window(d(tt.at))
			if !start.Equal(d(tt.start)) || !end.Equal(d(tt.end)) {
				t.Fatalf("Window(%s) = %s .. %s, want %s .. %s", tt.at, start, end, tt.start, tt.end)
			}
		})
	}
}

func TestQuotaValidate(t *testing.T) {
	tests := []struct {
		q   Quota
		err string
	}{
		{Quota{}, ""},
		{Daily(1).Offset(-23*time.Hour - 59*time.Minute), ""},
		{Daily(0), "maximum must be positive"},
		{Quota{max: 3, period: 9}, "period must be"},
		{Daily(1).Offset(24 * time.Hour), "less than a day"},
		{Daily(1).Offset(90 * time.Second), "whole minutes"},
	}
	for _, tt := range tests {
		err := tt.q.Validate()
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%v.Validate() = %v, want %q", tt.q, err, tt.err)
		}
	}
	if s := Weekly(5).Offset(90 * time.Minute).String(); s != "5/WEEK UTC+1h30m0s" {
		t.Errorf("String = %q", s)
	}
	if s := Monthly(5).Offset(-time.Hour).String(); s != "5/MONTH UTC-1h0m0s" {
		t.Errorf("String = %q", s)
	}
}

// FuzzWindow checks, for any instant and zone, that the window contains the
// instant, starts at local midnight on the right weekday or month day, and
// that the next window starts where this one ends.
func FuzzWindow(f *testing.F) {
	f.Add(int64(1736942400), int8(1), int16(0))
	f.Add(int64(-1), int8(2), int16(-300))
	f.Add(int64(1709251199), int8(3), int16(120))
	f.Fuzz(func(t *testing.T, sec int64, p int8, offMin int16) {
		sec %= 1 << 40 // about 35,000 years either way
		q := Quota{max: 1, period: Period(1 + (int(p)%3+3)%3), offset: time.Duration(int(offMin)%1440) * time.Minute}
		if err := q.Validate(); err != nil {
			t.Fatal(err)
		}
		at := time.Unix(sec, 0)
		start, end := q.Window(at)
		if at.Before(start) || !at.Before(end) {
			t.Fatalf("%v: window %s..%s does not contain %s", q, start, end, at)
		}
		zone := time.FixedZone("", int(q.offset/time.Second))
		ls, le := start.In(zone), end.In(zone)
		if ls.Hour() != 0 || ls.Minute() != 0 || ls.Second() != 0 || le.Hour() != 0 || le.Minute() != 0 {
			t.Fatalf("%v: window %s..%s not at local midnight", q, ls, le)
		}
		switch q.period {
		case Day:
			if !ls.AddDate(0, 0, 1).Equal(le) {
				t.Fatalf("day window %s..%s", ls, le)
			}
		case Week:
			if ls.Weekday() != time.Monday || !ls.AddDate(0, 0, 7).Equal(le) {
				t.Fatalf("week window %s..%s", ls, le)
			}
		case Month:
			if ls.Day() != 1 || !ls.AddDate(0, 1, 0).Equal(le) {
				t.Fatalf("month window %s..%s", ls, le)
			}
		}
		if s2, _ := q.Window(end); !s2.Equal(end) {
			t.Fatalf("%v: next window starts at %s, not %s", q, s2, end)
		}
	})
}

// TestQuotaExhaustedWhileThrottled checks the refusal of a request that
// both the throttle and a used-up quota refuse: it is the quota's, with a
// Retry-After at the end of the window, since retrying when the throttle
// would allow it is refused again.
func TestQuotaExhaustedWhileThrottled(t *testing.T) {
	c := newClock(epoch) // 12:00 UTC
	s := memStore(t, c, 0)
	req := Request{Scope: "s", Key: "k", Throttle: PerSecond(1), Quota: Daily(2)}
	for i := range 2 {
		if res := take(t, s, req); !res.Allowed {
			t.Fatalf("request %d refused: %+v", i, res)
		}
		c.Advance(time.Second)
	}
	c.Advance(-time.Second + 100*time.Millisecond) // the bucket is empty too
	res := take(t, s, req)
	if res.Allowed || res.Reason != QuotaExhausted || res.RetryAfter != 12*time.Hour-1100*time.Millisecond || res.QuotaRemaining != 0 {
		t.Fatalf("refused with %+v, want the quota's refusal until midnight", res)
	}
	// Only the throttle refuses: its own Retry-After.
	c.Advance(24 * time.Hour)
	take(t, s, req)
	if res := take(t, s, req); res.Reason != Throttled || res.RetryAfter != time.Second {
		t.Fatalf("refused with %+v, want the throttle's refusal", res)
	}
}
