package aggregate_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
)

// TestConcurrentRequests checks that requests served at once never see
// each other's data, although they share pooled buffers.
func TestConcurrentRequests(t *testing.T) {
	echoID := func(prefix string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
			_, _ = io.WriteString(w, `{"`+prefix+`":"`+id+`","pad":"`+strings.Repeat(id, 50)+`"}`)
		}
	}
	a := aggregate.New(
		aggregate.Call(backend(t, echoID("u")), "/users/:id").Group("user"),
		aggregate.Call(backend(t, echoID("o")), "/orders/:id").Group("orders").Allow("o"),
		aggregate.Call(backend(t, echoID("x")), "/x/{user.u}").Deny("pad"),
	)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				id := string(rune('a'+g)) + string(rune('a'+i))
				rec, _ := serve(a, "/agg/"+id, "id", id)
				want := `{"user":{"u":"` + id + `","pad":"` + strings.Repeat(id, 50) + `"},"orders":{"o":"` + id + `"},"x":"` + id + `"}`
				if rec.Code != 200 || rec.Body.String() != want {
					t.Errorf("%s: %d %s", id, rec.Code, rec.Body)
					return
				}
			}
		}()
	}
	wg.Wait()
}
