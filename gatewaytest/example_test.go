package gatewaytest_test

import (
	"fmt"
	"testing"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// This is how a test of a user's gateway reads: a fake upstream, the
// gateway under test, an in-process client.
func Example() {
	t := &testing.T{} // in a real test, the *testing.T of the test
	up := gatewaytest.NewUpstream(t)
	up.Respond(200, `{"id":"42"}`, "Content-Type", "application/json")

	gw := gateway.New()
	gw.GET("/users/:id").Proxy(gw.Upstream("users", up.URL), "/internal/users/:id")

	res := gatewaytest.NewClient(t, gw).Get("/users/42")
	rec, _ := up.Last()
	fmt.Println(res.Status, res.String(), rec.Path)
	up.Close()
	// Output:
	// 200 {"id":"42"} /internal/users/42
}
