package gateway_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gatewaykit/gateway"
)

func Example() {
	// A backend the gateway proxies to.
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "backend saw %s", r.URL.Path)
	}))
	defer backend.Close()

	gw := gateway.New()
	users := gw.Upstream("users", backend.URL)
	v1 := gw.Group("/v1")
	v1.GET("/users/:id").Proxy(users, "/internal/users/:id")
	v1.GET("/hello/:name").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", gateway.ParamFrom(r.Context(), "name"))
	})
	gw.GET("/health").Mock(http.StatusOK, `{"ok":true}`)
	if err := gw.Build(); err != nil {
		fmt.Println(err)
		return
	}

	for _, path := range []string{"/v1/users/42", "/v1/hello/gopher", "/health", "/v1//users/./7"} {
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body, _ := io.ReadAll(rec.Body)
		fmt.Println(rec.Code, string(body))
	}
	// Output:
	// 200 backend saw /internal/users/42
	// 200 hello gopher
	// 200 {"ok":true}
	// 200 backend saw /internal/users/7
}

func ExampleGateway_Deploy() {
	gw := gateway.New(gateway.StagesByPath())
	gw.GET("/color").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, gateway.StageVar(r.Context(), "color"))
	})
	if _, err := gw.Deploy("prod", map[string]string{"color": "blue"}); err != nil {
		fmt.Println(err)
	}
	if _, err := gw.Deploy("prod", map[string]string{"color": "green"}); err != nil {
		fmt.Println(err)
	}
	get := func() string {
		rec := httptest.NewRecorder()
		gw.ServeHTTP(rec, httptest.NewRequest("GET", "/prod/color", nil))
		return rec.Body.String()
	}
	fmt.Println(get())
	if _, err := gw.Rollback("prod"); err != nil {
		fmt.Println(err)
	}
	fmt.Println(get())
	// Output:
	// green
	// blue
}

func ExampleGateway_Build() {
	gw := gateway.New()
	gw.GET("/users/:id").Mock(200, "a")
	gw.GET("/users/:name").Mock(200, "b") // conflicts with :id
	gw.GET("/orders")                     // no integration
	fmt.Println(gw.Build() != nil)
	// Output:
	// true
}
