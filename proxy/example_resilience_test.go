package proxy_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/problem"
	"github.com/gatewaykit/gateway/proxy"
)

// Do calls an upstream from code, with the upstream's balancing, retries
// and breaker: the request to the failing replica is retried on the other.
func ExampleUpstream_Do() {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "healthy replica got %s", r.URL.RequestURI())
	}))
	defer healthy.Close()

	users, err := proxy.NewUpstream("users", []string{failing.URL, healthy.URL + "/api"},
		proxy.WithRetry(proxy.RetryPolicy{Attempts: 2, Backoff: time.Millisecond}))
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", "/users/42", nil) // path and query only
	res, err := users.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(body))
	// Output:
	// 200 healthy replica got /api/users/42
}

// With a breaker, an upstream that keeps failing is not called while the
// breaker is open: Do returns a 503 problem with Retry-After at once.
func ExampleWithBreaker() {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer down.Close()

	orders, err := proxy.NewUpstream("orders", []string{down.URL},
		proxy.WithBreaker(breaker.Settings{
			ConsecutiveFailures: 2,
			OpenInterval:        30 * time.Second,
			OnStateChange: func(name, from, to string) {
				fmt.Println("breaker", name+":", from, "->", to)
			},
		}))
	if err != nil {
		panic(err)
	}
	for range 3 {
		req, _ := http.NewRequest("GET", "/orders", nil)
		res, err := orders.Do(req)
		if err != nil {
			var p *problem.Problem
			errors.As(err, &p)
			fmt.Println(p.Status, "Retry-After:", p.Header.Get("Retry-After"), errors.Is(err, breaker.ErrOpen))
			continue
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	fmt.Println(orders.Breaker().State())
	// Output:
	// 500
	// breaker orders: closed -> open
	// 500
	// 503 Retry-After: 30 true
	// open
}
