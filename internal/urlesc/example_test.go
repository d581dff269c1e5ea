package urlesc_test

import (
	"fmt"

	"github.com/gatewaykit/gateway/internal/urlesc"
)

// A route parameter's value is escaped so that it stays one path segment,
// or one query value.
func ExampleAppend() {
	seg, _ := urlesc.Append(nil, "a b/c", urlesc.Keep)
	val, _ := urlesc.Append(nil, "x=1&y", urlesc.QueryKeep)
	fmt.Println(string(seg))
	fmt.Println(string(val))
	// Output:
	// a%20b%2Fc
	// x%3D1%26y
}
