package aggregate_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
)

// FuzzPipelineOutputIsJSON serves two legs with random bodies, filters and
// merge strategies and checks that every successful answer is valid JSON.
func FuzzPipelineOutputIsJSON(f *testing.F) {
	f.Add(`{"a":1,"b":{"c":[1,2]}}`, `{"a":2,"b":{"d":3}}`, "a", "b.c", uint8(0))
	f.Add(`[{"id":1}]`, `{ }`, "", "", uint8(7))
	f.Add(`{"a":{"x":1}}`, `{"a":{"y":2},"a":[1]}`, "", "", uint8(1))
	var mu sync.Mutex
	var bodies [2]string
	mk := func(i int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			b := bodies[i]
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, b)
		}
	}
	up1, up2 := backend(f, mk(0)), backend(f, mk(1))
	f.Fuzz(func(t *testing.T, b1, b2, allow, deny string, mode uint8) {
		mu.Lock()
		bodies = [2]string{b1, b2}
		mu.Unlock()
		l1 := aggregate.Call(up1, "/a")
		l2 := aggregate.Call(up2, "/b").Optional()
		if mode&1 != 0 {
			l1.Group("g1")
		}
		if mode&2 != 0 {
			l2.Group("g2")
		}
		if a := strings.Fields(allow); len(a) > 0 {
			l1.Allow(a...)
		}
		if d := strings.Fields(deny); len(d) > 0 {
			l2.Deny(d...)
		}
		strat := []aggregate.Strategy{aggregate.Shallow, aggregate.Deep, aggregate.Concat}[int(mode>>2)%3]
		a, err := aggregate.Compile(l1, l2, aggregate.Merge(strat), aggregate.ErrorsField("_errors"))
		if err != nil {
			return
		}
		rec, _ := serve(a, "/x")
		if rec.Code == 200 && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("bodies %q %q mode %d: invalid output %q", b1, b2, mode, rec.Body.Bytes())
		}
	})
}
