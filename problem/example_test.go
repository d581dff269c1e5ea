package problem_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gatewaykit/gateway/problem"
)

func Example() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.Error(w, r, problem.New(http.StatusTooManyRequests, "Slow down.").
			WithHeader("Retry-After", "2"))
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Retry-After"))
	fmt.Print(rec.Body.String())
	// Output:
	// 429 application/problem+json 2
	// {"type":"about:blank","title":"Too Many Requests","status":429,"detail":"Slow down."}
}

func ExampleErrorType() {
	fmt.Println(problem.ErrorType(404), problem.ErrorType(429), problem.ErrorType(504), problem.ErrorType(500))
	// Output:
	// RESOURCE_NOT_FOUND THROTTLED INTEGRATION_TIMEOUT DEFAULT_5XX
}
