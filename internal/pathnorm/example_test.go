package pathnorm_test

import (
	"fmt"

	"github.com/gatewaykit/gateway/internal/pathnorm"
)

func ExampleClean() {
	for _, p := range []string{"/v1//users/./42", "/public/%2e%2e/admin", "/a%2fb", "/a%00"} {
		clean, _, err := pathnorm.Clean(p, pathnorm.Options{})
		fmt.Printf("%s -> %q %v\n", p, clean, err)
	}
	// Output:
	// /v1//users/./42 -> "/v1/users/42" <nil>
	// /public/%2e%2e/admin -> "/admin" <nil>
	// /a%2fb -> "" path has an encoded slash
	// /a%00 -> "" path has a control character
}
