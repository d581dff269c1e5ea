package hdrname_test

import (
	"fmt"

	"github.com/gatewaykit/gateway/internal/hdrname"
)

func ExampleSame() {
	fmt.Println(hdrname.Same("X_Forwarded_For", "X-Forwarded-For"))
	fmt.Println(hdrname.Same("X-Forwarded-Host", "X-Forwarded-For"))
	// Output:
	// true
	// false
}
