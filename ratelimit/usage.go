package ratelimit

// usageLog is a key's daily usage, oldest day first.
type usageLog struct {
	days []dayCount
}

type dayCount struct {
	day, n int64
}

// add counts n requests on day and forgets days older than keep days.
func (u *usageLog) add(day, n int64, keep int) {
	if k := len(u.days); k > 0 && u.days[k-1].day == day {
		u.days[k-1].n += n
		return
	}
	drop := 0
	for drop < len(u.days) && u.days[drop].day <= day-int64(keep) {
		drop++
	}
	if drop > 0 {
		u.days = append(u.days[:0], u.days[drop:]...)
	}
	u.days = append(u.days, dayCount{day, n})
}

// count returns the requests counted on day.
func (u *usageLog) count(day int64) int64 {
	if u == nil {
		return 0
	}
	for _, d := range u.days {
		if d.day == day {
			return d.n
		}
	}
	return 0
}
