package aggregate_test

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
)

// TestHugeLimits checks that the largest limits mean "no practical limit"
// rather than overflowing while a body without Content-Length is read.
func TestHugeLimits(t *testing.T) {
	big := `{"x":"` + strings.Repeat("a", 64<<10) + `"}`
	chunked := func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < len(big); i += 1 << 10 {
			_, _ = io.WriteString(w, big[i:min(i+1<<10, len(big))])
			w.(http.Flusher).Flush()
		}
	}
	a, err := aggregate.Compile(aggregate.Call(backend(t, chunked), "/").Group("a").ForwardBody().Method("POST"),
		aggregate.MaxBytes(math.MaxInt64), aggregate.MaxBodyBytes(math.MaxInt64))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/x", io.MultiReader(strings.NewReader(big))) // no Content-Length
	req.ContentLength = -1
	rec, _ := serveReq(a, req)
	if rec.Code != 200 || rec.Body.Len() != len(big)+len(`{"a":}`) {
		t.Fatalf("%d %.100s", rec.Code, rec.Body)
	}

	// A Content-Length announcing more than memory holds fails the leg
	// when the body ends early, without trying to allocate it up front.
	liar := backend(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1125899906842624")
		_, _ = io.WriteString(w, `{}`)
	})
	a, err = aggregate.Compile(aggregate.Call(liar, "/").Group("a").Optional(), aggregate.Call(backend(t, fixed(200, `{}`)), "/").Group("b"),
		aggregate.MaxBytes(math.MaxInt64), aggregate.ErrorsField("e"))
	if err != nil {
		t.Fatal(err)
	}
	if rec, _ := serve(a, "/x"); rec.Code != 200 || rec.Body.String() != `{"b":{},"e":{"a":"unreachable"}}` {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}
