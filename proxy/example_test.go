package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gatewaykit/gateway/proxy"
)

func Example() {
	// An upstream service.
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend got %s %s", r.Method, r.URL.RequestURI())
	}))
	defer backend.Close()

	// Forward every request to it under its /api base path, keeping the
	// request's own path and query.
	users, err := proxy.NewUpstream("users", []string{backend.URL + "/api"})
	if err != nil {
		panic(err)
	}
	p, err := proxy.New(users, "")
	if err != nil {
		panic(err)
	}
	front := httptest.NewServer(p)
	defer front.Close()

	res, err := http.Get(front.URL + "/users/42?fields=name")
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, string(body))
	// Output:
	// 200 backend got GET /api/users/42?fields=name
}

func ExampleUpstream_Validate() {
	users, err := proxy.NewUpstream("users", []string{"http://${stageVariables.usersHost}:8080"})
	if err != nil {
		panic(err)
	}
	fmt.Println(users.Validate(map[string]string{"usersHost": "10.0.0.5"}))
	fmt.Println(users.Validate(map[string]string{"other": "x"}))
	// Output:
	// <nil>
	// proxy: upstream "users": target "http://${stageVariables.usersHost}:8080": stage variable "usersHost" is not set
}
