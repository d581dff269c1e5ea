package ratelimit

import (
	"fmt"
	"strconv"
	"time"
)

// Period is the calendar period a [Quota] counts over.
type Period int8

// The calendar periods of a quota. Windows begin at midnight in the quota's
// time zone: every day, every Monday (ISO 8601 weeks), or on the first day
// of every month.
const (
	Day Period = iota + 1
	Week
	Month
)

// String returns "DAY", "WEEK" or "MONTH", as Amazon API Gateway names them.
func (p Period) String() string {
	switch p {
	case Day:
		return "DAY"
	case Week:
		return "WEEK"
	case Month:
		return "MONTH"
	}
	return "Period(" + strconv.Itoa(int(p)) + ")"
}

// Quota caps the number of requests a key may make in a calendar period.
// Windows follow the calendar in UTC, or in the fixed time zone set with
// [Quota.Offset]. The zero Quota means "no quota".
//
//	ratelimit.Monthly(1_000_000).Offset(-5 * time.Hour)
type Quota struct {
	max    int64
	period Period
	offset time.Duration
}

// Daily returns a Quota of n requests per calendar day.
func Daily(n int64) Quota { return Quota{max: n, period: Day} }

// Weekly returns a Quota of n requests per ISO week (Monday to Sunday).
func Weekly(n int64) Quota { return Quota{max: n, period: Week} }

// Monthly returns a Quota of n requests per calendar month.
func Monthly(n int64) Quota { return Quota{max: n, period: Month} }

// Offset returns a copy of q whose windows follow the calendar in the time
// zone d east of UTC (negative: west), for example -5*time.Hour. The offset
// must be whole minutes, less than a day.
func (q Quota) Offset(d time.Duration) Quota {
	q.offset = d
	return q
}

// Max returns the number of requests q admits per window.
func (q Quota) Max() int64 { return q.max }

// Period returns the calendar period of q.
func (q Quota) Period() Period { return q.period }

// UTCOffset returns the offset from UTC of q's time zone.
func (q Quota) UTCOffset() time.Duration { return q.offset }

// IsZero reports whether q is the zero Quota, which counts nothing.
func (q Quota) IsZero() bool { return q == Quota{} }

// String describes q, for example "1000/DAY".
func (q Quota) String() string {
	if q.IsZero() {
		return "unlimited"
	}
	s := strconv.FormatInt(q.max, 10) + "/" + q.period.String()
	switch {
	case q.offset > 0:
		s += " UTC+" + q.offset.String()
	case q.offset < 0:
		s += " UTC" + q.offset.String()
	}
	return s
}

// MaxQuota is the largest maximum of a [Quota], 2⁵². Quota counts, and
// the extensions of [Store.UpdateQuota], saturate at ±MaxQuota, so that
// they never overflow and stay exact in a shared store's scripts, whose
// numbers are floating point.
const MaxQuota = 1 << 52

// Validate reports whether q is usable: a positive maximum of at most
// [MaxQuota], a known period and an offset of whole minutes within a day.
func (q Quota) Validate() error {
	var why string
	switch {
	case q.IsZero():
		return nil
	case q.max <= 0:
		why = "the maximum must be positive"
	case q.max > MaxQuota:
		why = "the maximum exceeds MaxQuota"
	case q.period < Day || q.period > Month:
		why = "the period must be Day, Week or Month"
	case q.offset <= -24*time.Hour || q.offset >= 24*time.Hour:
		why = "the offset must be less than a day"
	case q.offset%time.Minute != 0:
		why = "the offset must be whole minutes"
	default:
		return nil
	}
	return fmt.Errorf("ratelimit: quota %s: %s", q, why)
}

// Window returns the window of q that contains t: its first instant and the
// first instant of the next window. A zero Quota has one endless window.
func (q Quota) Window(t time.Time) (start, end time.Time) {
	if q.IsZero() {
		return time.Time{}, time.Unix(1<<62, 0)
	}
	s, e := window(q.period, int64(q.offset/time.Second), t.Unix())
	return time.Unix(s, 0).UTC(), time.Unix(e, 0).UTC()
}

const secondsPerDay = 86400

// window returns the bounds, in Unix seconds, of the window of period p in
// the zone offset seconds east of UTC that contains the Unix second now.
// redisstore computes the same bounds inside Redis; the two must agree.
func window(p Period, offset, now int64) (start, end int64) {
	day := floorDiv(now+offset, secondsPerDay)
	var first, next int64
	switch p {
	case Week:
		// 1970-01-01 was a Thursday: day+3 counts days since a Monday.
		first = day - floorMod(day+3, 7)
		next = first + 7
	case Month:
		y, m, _ := time.Unix(day*secondsPerDay, 0).UTC().Date()
		first = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
		next = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
	default:
		first, next = day, day+1
	}
	return first*secondsPerDay - offset, next*secondsPerDay - offset
}

// dayOf returns the number of the calendar day, in the zone offset seconds
// east of UTC, that contains the Unix second now.
func dayOf(offset, now int64) int64 { return floorDiv(now+offset, secondsPerDay) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }
