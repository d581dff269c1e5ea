package breaker_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gatewaykit/gateway/breaker"
)

// A breaker in front of a failing handler opens after three failures,
// answers 503 with Retry-After without calling it, and closes again after a
// successful probe once the open interval is over.
func Example() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b, err := breaker.New(breaker.Settings{
		Name:                "orders",
		ConsecutiveFailures: 3,
		OpenInterval:        30 * time.Second,
		Now:                 func() time.Time { return now },
		OnStateChange: func(name, from, to string) {
			fmt.Printf("  %s: %s -> %s\n", name, from, to)
		},
	})
	if err != nil {
		panic(err)
	}
	healthy := false
	h := b.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	get := func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/orders", nil))
		if ra := rec.Header().Get("Retry-After"); ra != "" {
			fmt.Println(rec.Code, "Retry-After:", ra)
			return
		}
		fmt.Println(rec.Code)
	}
	for range 4 {
		get()
	}
	now = now.Add(30 * time.Second)
	healthy = true
	get()
	fmt.Println(b.State())
	// Output:
	// 502
	// 502
	//   orders: closed -> open
	// 502
	// 503 Retry-After: 30
	//   orders: open -> half-open
	//   orders: half-open -> closed
	// 200
	// closed
}
