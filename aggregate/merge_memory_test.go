package aggregate

import (
	"runtime"
	"strconv"
	"testing"
)

// TestMergeMemoryIsBounded checks that merging an object of many small
// members costs a few words per member and a handful of allocations, not
// allocations per member nor repeated growth: a backend sending a body
// full of tiny members must not make the gateway allocate dozens of times
// its size.
func TestMergeMemoryIsBounded(t *testing.T) {
	body := []byte{'{'}
	for i := 0; len(body) < 256<<10; i++ {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, '"')
		body = strconv.AppendInt(body, int64(i), 10)
		body = append(body, `":0`...)
	}
	body = append(body, '}')
	for _, s := range []Strategy{Shallow, Deep} {
		t.Run(strconv.Itoa(int(s)), func(t *testing.T) {
			a := &Aggregate{strategy: s, legs: []leg{
				{idx: 0, name: "leg1"},
				{idx: 1, name: "g", group: "g", groupKey: []byte(`"g"`), groupName: []byte("g")},
			}}
			ru := &run{res: []result{{val: body}, {val: []byte(`{"a":1}`)}}}
			out := make([]byte, 0, 2*len(body))
			allocs := testing.AllocsPerRun(3, func() { out, _ = a.merge(out[:0], ru) })
			if allocs > 20 {
				t.Errorf("%v allocations to merge %d bytes", allocs, len(body))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			out, _ = a.merge(out[:0], ru)
			runtime.ReadMemStats(&after)
			if n := after.TotalAlloc - before.TotalAlloc; n > 16*uint64(len(body)) {
				t.Errorf("merging %d bytes allocated %d bytes", len(body), n)
			}
			if len(out) != len(body)+len(`,"g":{"a":1}`) {
				t.Fatalf("merged %d bytes", len(out))
			}
		})
	}
}
