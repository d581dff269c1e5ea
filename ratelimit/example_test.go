package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gatewaykit/gateway/ratelimit"
)

// A limiter of two requests per second: the third request at the same
// instant is refused with 429 and told when to retry.
func Example() {
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	lim, err := ratelimit.New(ratelimit.PerSecond(2), ratelimit.Clock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	h := lim.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	for i := 0; i < 3; i++ {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		fmt.Printf("%d RateLimit: %s Retry-After: %q\n", rec.Code, rec.Header().Get("RateLimit"), rec.Header().Get("Retry-After"))
	}
	// Output:
	// 200 RateLimit: "default";r=1;t=1 Retry-After: ""
	// 200 RateLimit: "default";r=0;t=1 Retry-After: ""
	// 429 RateLimit: "default";r=0;t=1 Retry-After: "1"
}

// A daily quota per API key header: the quota refusal says it is the quota,
// and an operator extends the key's allowance.
func ExampleLimiter_UpdateQuota() {
	now := time.Date(2025, 1, 15, 18, 0, 0, 0, time.UTC)
	lim, err := ratelimit.New(ratelimit.Limit{}, ratelimit.WithQuota(ratelimit.Daily(1)),
		ratelimit.ByHeader("X-Client"), ratelimit.Clock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	h := lim.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	}))
	call := func() {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("X-Client", "acme")
		h.ServeHTTP(rec, r)
		fmt.Printf("%d Retry-After: %q body: %s\n", rec.Code, rec.Header().Get("Retry-After"), strings.TrimSpace(rec.Body.String()))
	}
	call()
	call()
	st, _ := lim.UpdateQuota(r0(), "acme", false, 5)
	fmt.Println("remaining after extension:", st.Remaining)
	call()
	// Output:
	// 200 Retry-After: "" body: ok
	// 429 Retry-After: "21600" body: {"type":"about:blank","title":"Too Many Requests","status":429,"detail":"The request quota for this period is used up; it renews when the period ends.","limit":"quota"}
	// remaining after extension: 5
	// 200 Retry-After: "" body: ok
}

func r0() context.Context { return context.Background() }
