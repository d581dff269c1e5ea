package ratelimit

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Limit is a throttle: a token bucket that holds up to Capacity tokens and
// refills Rate tokens every Period. Each admitted request takes one token,
// so a client may send a burst of Capacity requests at once and Rate
// requests per Period after that. The zero Limit means "no throttle".
//
// Build a Limit with [PerSecond], [PerMinute], [PerHour] or [Every], and
// set the bucket size with [Limit.Burst]:
//
//	ratelimit.PerSecond(100).Burst(200)
type Limit struct {
	rate   int64
	period time.Duration
	burst  int64
}

// PerSecond returns a Limit of n requests per second with a burst of n.
func PerSecond(n int64) Limit { return Every(n, time.Second) }

// PerMinute returns a Limit of n requests per minute with a burst of n.
func PerMinute(n int64) Limit { return Every(n, time.Minute) }

// PerHour returns a Limit of n requests per hour with a burst of n.
func PerHour(n int64) Limit { return Every(n, time.Hour) }

// Every returns a Limit of n requests per period with a burst of n.
func Every(n int64, period time.Duration) Limit {
	return Limit{rate: n, period: period}
}

// Burst returns a copy of l whose bucket holds n tokens, the number of
// requests admitted at once after a quiet spell. If n is 0, the burst is
// the rate (the number of requests per period), at least 1.
func (l Limit) Burst(n int64) Limit {
	l.burst = n
	return l
}

// Rate returns the number of requests l admits per [Limit.Period].
func (l Limit) Rate() int64 { return l.rate }

// Period returns the period over which [Limit.Rate] requests are admitted.
func (l Limit) Period() time.Duration { return l.period }

// Capacity returns the size of l's bucket: the burst, or the rate when no
// burst was set.
func (l Limit) Capacity() int64 {
	if l.burst > 0 {
		return l.burst
	}
	if l.rate > 0 {
		return l.rate
	}
	return 1
}

// Interval returns the time in which one token is refilled, rounded up to
// the nanosecond so that l never admits more than its rate.
func (l Limit) Interval() time.Duration {
	if l.rate <= 0 {
		return 0
	}
	return time.Duration((int64(l.period) + l.rate - 1) / l.rate)
}

// IsZero reports whether l is the zero Limit, which throttles nothing.
func (l Limit) IsZero() bool { return l == Limit{} }

// String describes l, for example "100/1s burst 200".
func (l Limit) String() string {
	if l.IsZero() {
		return "unlimited"
	}
	return strconv.FormatInt(l.rate, 10) + "/" + l.period.String() + " burst " + strconv.FormatInt(l.Capacity(), 10)
}

// Validate reports whether l is usable: a positive rate and period, at most
// one request per nanosecond, a burst that is not negative, and a bucket
// whose span fits in a time.Duration.
func (l Limit) Validate() error {
	var why string
	switch {
	case l.IsZero():
		return nil
	case l.rate <= 0:
		why = "the rate must be positive"
	case l.period <= 0:
		why = "the period must be positive"
	case l.burst < 0:
		why = "the burst must not be negative"
	case int64(l.period) < l.rate:
		why = "the rate exceeds one request per nanosecond"
	case l.Capacity() > math.MaxInt64/4/int64(l.Interval()):
		why = "the burst is too large"
	default:
		return nil
	}
	return fmt.Errorf("ratelimit: limit %s: %s", l, why)
}
