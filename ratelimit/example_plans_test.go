package ratelimit_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/ratelimit"
)

// Two API keys on two plans: the basic key runs out of its daily quota,
// the premium key does not, and the usage report counts what each was
// admitted. In a gateway, an authentication block in front of the plans
// sets the principal.
func ExampleNewPlans() {
	now := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	plans, err := ratelimit.NewPlans([]ratelimit.Plan{
		{Name: "basic", Throttle: ratelimit.PerSecond(10), Quota: ratelimit.Daily(2), Keys: []string{"key-1"}},
		{Name: "premium", Throttle: ratelimit.PerSecond(100), Quota: ratelimit.Daily(1000), Keys: []string{"key-2"}},
	}, ratelimit.Clock(func() time.Time { return now }))
	if err != nil {
		panic(err)
	}
	h := plans.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	call := func(keyID string) int {
		r := httptest.NewRequest("GET", "/v1/things", nil)
		r = r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{ID: "someone", KeyID: keyID}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Code
	}
	for _, k := range []string{"key-1", "key-2", "key-1", "key-2", "key-1", "key-3"} {
		fmt.Println(k, call(k))
	}
	report, _ := plans.Report(context.Background(), "basic", now, now)
	fmt.Println("basic:", report)
	// Output:
	// key-1 200
	// key-2 200
	// key-1 200
	// key-2 200
	// key-1 429
	// key-3 403
	// basic: map[key-1:[{2025-01-15 2}]]
}
