package reqctx_test

import (
	"context"
	"fmt"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func Example() {
	ctx := reqctx.With(context.Background(), &reqctx.Info{
		Route:  "/users/:id",
		Params: reqctx.Params{{Key: "id", Value: "42"}},
	})
	info := reqctx.From(ctx)
	fmt.Println(info.Route, info.Params.ByName("id"))
	// Output:
	// /users/:id 42
}
