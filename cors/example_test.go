package cors_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gatewaykit/gateway/cors"
)

func Example() {
	c, err := cors.New(
		cors.Origins("https://app.example.com", "https://*.example.org"),
		cors.Methods("GET", "PUT"),
		cors.Headers("Authorization", "Content-Type"),
		cors.Expose("X-Request-Id"),
		cors.Credentials(),
		cors.MaxAge(10*time.Minute),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	api := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "data")
	}))

	// The browser's preflight is answered by the policy itself.
	pre := httptest.NewRequest("OPTIONS", "/items/1", nil)
	pre.Header.Set("Origin", "https://shop.example.org")
	pre.Header.Set("Access-Control-Request-Method", "PUT")
	pre.Header.Set("Access-Control-Request-Headers", "authorization")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, pre)
	fmt.Println(rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Allow-Methods"),
		rec.Header().Get("Access-Control-Max-Age"))

	// The actual request gets the CORS headers.
	req := httptest.NewRequest("PUT", "/items/1", nil)
	req.Header.Set("Origin", "https://shop.example.org")
	rec = httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Get("Access-Control-Allow-Credentials"),
		rec.Header().Get("Vary"))

	// A look-alike origin gets a 403 preflight.
	pre.Header.Set("Origin", "https://evil-example.org")
	rec = httptest.NewRecorder()
	api.ServeHTTP(rec, pre)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// 204 https://shop.example.org GET, PUT 600
	// 200 https://shop.example.org true Origin
	// 403 application/problem+json
}

func ExampleNew_error() {
	_, err := cors.New(cors.Origins("*"), cors.Credentials())
	fmt.Println(err)
	// Output:
	// cors: the "*" origin cannot be combined with Credentials; list the origins
}
