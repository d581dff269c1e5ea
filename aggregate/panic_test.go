package aggregate_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/proxy"
)

// panicking is a transport whose every call panics.
type panicking struct{}

func (panicking) RoundTrip(*http.Request) (*http.Response, error) { panic("transport bug") }

// TestPanicInLeg checks that a panic in a leg, on the request's goroutine
// or on one of its own, does not crash the process: the other legs are
// canceled and have finished when the panic is raised again on the
// request's goroutine, where the server's or gateway's recovery sees it.
func TestPanicInLeg(t *testing.T) {
	bad, err := proxy.NewUpstream("bad", []string{"http://127.0.0.1:1"}, proxy.WithTransport(panicking{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, pos := range []string{"first", "second"} {
		t.Run(pos, func(t *testing.T) {
			finished := make(chan struct{}, 1)
			slow := backend(t, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
			})
			slowLeg := aggregate.Call(slow, "/").Group("slow")
			badLeg := aggregate.Call(bad, "/").Group("bad")
			legs := []aggregate.Part{badLeg, slowLeg}
			if pos == "second" {
				legs = []aggregate.Part{slowLeg, badLeg}
			}
			a := aggregate.New(legs...)
			start := time.Now()
			var got any
			func() {
				defer func() {
					got = recover()
					finished <- struct{}{}
				}()
				serve(a, "/x")
			}()
			<-finished
			err, _ := got.(error)
			if err == nil || !strings.Contains(err.Error(), `leg "bad" panicked: transport bug`) || !strings.Contains(err.Error(), "panicking.RoundTrip") {
				t.Fatalf("recovered %v, want the leg's panic with its name and stack", got)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("the panic waited %v for the slow leg instead of canceling it", d)
			}
		})
	}
}
