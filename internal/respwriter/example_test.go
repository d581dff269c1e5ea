package respwriter_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/gatewaykit/gateway/internal/respwriter"
)

func ExampleWrap() {
	rw := respwriter.Wrap(httptest.NewRecorder())
	rw.WriteHeader(201)
	_, _ = rw.Write([]byte("created"))
	fmt.Println(rw.Status(), rw.Written(), rw.Started())
	// Output:
	// 201 7 true
}
