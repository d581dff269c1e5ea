package ippolicy_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gatewaykit/gateway/ippolicy"
)

func Example() {
	p, err := ippolicy.New(ippolicy.Allow("10.0.0.0/8"), ippolicy.Deny("10.66.0.0/16"))
	if err != nil {
		fmt.Println(err)
		return
	}
	h := p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "welcome") }))
	for _, peer := range []string{"10.1.2.3:4000", "10.66.0.9:4000", "203.0.113.5:4000"} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", "10.1.2.3") // ignored: no trusted proxy
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(peer, rec.Code)
	}
	// Output:
	// 10.1.2.3:4000 200
	// 10.66.0.9:4000 403
	// 203.0.113.5:4000 403
}
