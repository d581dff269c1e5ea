package clientip_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/gatewaykit/gateway/internal/clientip"
)

func ExampleResolver_Resolve() {
	r, _ := clientip.New("10.0.0.0/8")
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Forwarded-For", "6.6.6.6, 198.51.100.7")

	req.RemoteAddr = "10.0.0.1:4000" // a trusted load balancer
	fmt.Println(r.Resolve(req))
	req.RemoteAddr = "203.0.113.9:4000" // anyone else: X-Forwarded-For is ignored
	fmt.Println(r.Resolve(req))
	// Output:
	// 198.51.100.7 true
	// 203.0.113.9 false
}
