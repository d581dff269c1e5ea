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

// TestObjectGroupsNames checks that members of the same name are found
// alike by the small and the large form of object: the first one kept, in
// order of first appearance, the later ones with another value reported.
func TestObjectGroupsNames(t *testing.T) {
	for _, n := range []int{3, 16, 17, 40} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			a := &Aggregate{legs: make([]leg, n)}
			ru := &run{res: make([]result, n)}
			parts := make([]part, n)
			var want []byte
			seen := map[string]bool{}
			conflicts := map[int]string{}
			for i := range parts {
				name := "k" + strconv.Itoa((i*7)%(n/2+1)) // every name about twice
				val := strconv.Itoa(i % 3)
				parts[i] = part{leg: i, key: []byte(name), raw: []byte(`"` + name + `"`), val: []byte(val)}
				if seen[name] {
					continue
				}
				seen[name] = true
				if len(want) > 0 {
					want = append(want, ',')
				}
				want = append(want, `"`+name+`":`+val...)
				for j := i + 1; j < n; j++ {
					if jn := "k" + strconv.Itoa((j*7)%(n/2+1)); jn == name && strconv.Itoa(j%3) != val {
						conflicts[j] = name
					}
				}
			}
			got := a.object(nil, ru, parts)
			if string(got) != "{"+string(want)+"}" {
				t.Fatalf("got  %s\nwant {%s}", got, want)
			}
			for i := range ru.res {
				if ru.res[i].conflict != conflicts[i] {
					t.Fatalf("leg %d conflict %q, want %q", i, ru.res[i].conflict, conflicts[i])
				}
			}
		})
	}
}
