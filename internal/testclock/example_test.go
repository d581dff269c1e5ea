package testclock_test

import (
	"fmt"
	"time"

	"github.com/gatewaykit/gateway/internal/testclock"
)

func Example() {
	clk := testclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	clk.Advance(90 * time.Minute)
	fmt.Println(clk.Now().Format(time.Kitchen))
	// Output:
	// 1:30AM
}
