package breaker_test

import (
	"testing"

	"github.com/gatewaykit/gateway/breaker"
)

// BenchmarkBreaker measures the breaker's cost per attempt: Allow and Done
// on a closed breaker counting a failure ratio over its window.
func BenchmarkBreaker(b *testing.B) {
	br, err := breaker.New(breaker.Settings{Name: "users", FailureRatio: 0.5, ConsecutiveFailures: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tk, err := br.Allow()
			if err != nil {
				b.Fatal(err)
			}
			br.Done(tk, 200, nil)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				tk, err := br.Allow()
				if err != nil {
					b.Fatal(err)
				}
				br.Done(tk, 200, nil)
			}
		})
	})
	b.Run("open", func(b *testing.B) {
		open, _ := breaker.New(breaker.Settings{Name: "down", ConsecutiveFailures: 1})
		tk, _ := open.Allow()
		open.Done(tk, 500, nil)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := open.Allow(); err == nil {
				b.Fatal("admitted")
			}
		}
	})
}
