package ratelimit

import (
	"math"
	"time"
)

// state is the per-key state a store keeps: the theoretical arrival time of
// the generic cell rate algorithm (GCRA), the quota counter of the current
// window and, when recorded, the daily usage.
type state struct {
	// tat is the theoretical arrival time, in Unix nanoseconds: the bucket
	// is full when tat <= now, and each token taken moves tat one interval
	// later.
	tat int64
	// qStart and qEnd bound the quota window of qUsed, in Unix nanoseconds.
	qStart, qEnd int64
	qUsed        int64
	usage        *usageLog
}

// take decides req at now (Unix nanoseconds) and updates s when the request
// is admitted. keepDays bounds the daily usage history.
func (s *state) take(req *Request, now int64, keepDays int) Result {
	n := req.cost()
	res := Result{Allowed: true}
	var newTAT int64
	if !req.Throttle.IsZero() {
		iv := int64(req.Throttle.Interval())
		tau := iv * req.Throttle.Capacity()
		tat := max(s.tat, now)
		if n > req.Throttle.Capacity() {
			// More than the bucket holds: never admitted. Decided apart,
			// as iv*n may overflow.
			res.Allowed = false
			res.Reason = Throttled
			res.RetryAfter = time.Duration(max(tat-now, iv))
			res.Remaining = (tau - (tat - now)) / iv
			res.Reset = time.Duration(tat - now)
		} else if newTAT = tat + iv*n; newTAT-now > tau {
			res.Allowed = false
			res.Reason = Throttled
			res.RetryAfter = time.Duration(newTAT - now - tau)
			res.Remaining = (tau - (tat - now)) / iv
			res.Reset = time.Duration(tat - now)
		} else {
			res.Remaining = (tau - (newTAT - now)) / iv
			res.Reset = time.Duration(newTAT - now)
		}
	}
	if q := req.Quota; !q.IsZero() {
		s.quotaWindow(q, now)
		used := s.qUsed
		switch {
		case !res.Allowed && exceeds(used, n, q.max):
			// Throttled with the quota used up: the request waits for
			// the next window, not just for a token.
			res.Reason = QuotaExhausted
			res.RetryAfter = max(res.RetryAfter, time.Duration(s.qEnd-now))
		case res.Allowed:
			if exceeds(used, n, q.max) {
				res.Allowed = false
				res.Reason = QuotaExhausted
				res.RetryAfter = time.Duration(s.qEnd - now)
				if !req.Throttle.IsZero() {
					// No token is taken: report the bucket as it stays.
					iv := int64(req.Throttle.Interval())
					tat := max(s.tat, now)
					res.Remaining = (iv*req.Throttle.Capacity() - (tat - now)) / iv
					res.Reset = time.Duration(tat - now)
				}
			} else {
				used += n
			}
		}
		res.QuotaRemaining = quotaLeft(q.max, used)
		res.QuotaReset = time.Duration(s.qEnd - now)
		if res.Allowed {
			s.qUsed = used
		}
	}
	if res.Allowed {
		if !req.Throttle.IsZero() {
			s.tat = newTAT
		}
		if req.RecordUsage {
			if s.usage == nil {
				s.usage = new(usageLog)
			}
			s.usage.add(dayOf(int64(req.Quota.offset/time.Second), floorDiv(now, int64(time.Second))), n, keepDays)
		}
	}
	return res
}

// quotaWindow moves s to the window of q containing now, starting a fresh
// count when the window changed.
func (s *state) quotaWindow(q Quota, now int64) {
	if now >= s.qStart && now < s.qEnd {
		return
	}
	start, end := window(q.period, int64(q.offset/time.Second), floorDiv(now, int64(time.Second)))
	s.qStart, s.qEnd, s.qUsed = start*int64(time.Second), end*int64(time.Second), 0
}

// update applies u to the quota counter at now.
func (s *state) update(u *QuotaUpdate, now int64) QuotaStatus {
	s.quotaWindow(u.Quota, now)
	if u.Reset {
		s.qUsed = 0
	}
	s.qUsed = extendCount(s.qUsed, u.Extend)
	return windowStatus(u.Quota, s.qUsed, s.qStart/int64(time.Second), s.qEnd/int64(time.Second))
}

// idle reports whether forgetting s at now loses nothing: the bucket is
// full, no quota is counted and no usage is recorded.
func (s *state) idle(now int64) bool {
	return s.tat <= now && (s.qUsed == 0 || s.qEnd <= now) && s.usage == nil
}

// extendCount returns the quota count used less extend, both saturated at
// ±MaxQuota, as every Store applies QuotaUpdate.Extend.
func extendCount(used, extend int64) int64 {
	used = min(max(used, -MaxQuota), MaxQuota)
	extend = min(max(extend, -MaxQuota), MaxQuota)
	return min(max(used-extend, -MaxQuota), MaxQuota)
}

// quotaLeft returns what a quota of limit has left after used, at least
// zero and at most the largest int64.
func quotaLeft(limit, used int64) int64 {
	if used < 0 && limit > math.MaxInt64+used {
		return math.MaxInt64
	}
	return max(limit-used, 0)
}

// exceeds reports whether adding n (positive) to used goes over limit
// (positive), without overflowing however large n is.
func exceeds(used, n, limit int64) bool {
	return n > limit || used > limit-n
}
