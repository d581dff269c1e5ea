package ratelimit

import (
	"math"
	"testing"
)

// TestUpdateQuotaHugeExtend extends a quota by amounts near the limits of
// int64: the count saturates instead of wrapping, so a large extension
// leaves a large remainder, never none, and a large reduction leaves none.
func TestUpdateQuotaHugeExtend(t *testing.T) {
	q := Daily(1000)
	for _, tc := range []struct {
		extend []int64
		want   int64 // remaining after the updates
	}{
		{[]int64{math.MaxInt64}, 1000 + MaxQuota},
		{[]int64{math.MaxInt64, math.MaxInt64}, 1000 + MaxQuota},
		{[]int64{MaxQuota, 1}, 1000 + MaxQuota},
		{[]int64{math.MinInt64}, 0},
		{[]int64{-math.MaxInt64, -math.MaxInt64}, 0},
		{[]int64{math.MinInt64, 5}, 0},
		{[]int64{math.MaxInt64, math.MinInt64}, 1000},
		{[]int64{1 << 60, -(1 << 60)}, 1000},
	} {
		s := memStore(t, newClock(epoch), 0)
		var st QuotaStatus
		for _, e := range tc.extend {
			var err error
			if st, err = s.UpdateQuota(ctx, QuotaUpdate{Scope: "s", Key: "k", Quota: q, Extend: e}); err != nil {
				t.Fatal(err)
			}
		}
		if st.Remaining != tc.want {
			t.Errorf("extend %v: remaining %d (used %d), want %d", tc.extend, st.Remaining, st.Used, tc.want)
		}
		res := take(t, s, Request{Scope: "s", Key: "k", Quota: q})
		if res.Allowed != (tc.want > 0) || res.Allowed && res.QuotaRemaining != tc.want-1 {
			t.Errorf("extend %v, then take: %+v", tc.extend, res)
		}
	}
}

// TestQuotaValidateMax refuses quotas a shared store cannot count exactly.
func TestQuotaValidateMax(t *testing.T) {
	if err := Daily(MaxQuota).Validate(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{MaxQuota + 1, math.MaxInt64} {
		if Monthly(n).Validate() == nil {
			t.Errorf("Monthly(%d) is valid", n)
		}
		if _, err := New(Limit{}, WithQuota(Weekly(n))); err == nil {
			t.Errorf("New with Weekly(%d) succeeded", n)
		}
	}
}
