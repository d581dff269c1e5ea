package aggregate

import (
	"strconv"
	"strings"
	"testing"
)

// benchDoc is about 2 KiB of typical API JSON: objects, strings, numbers.
var benchDoc = func() []byte {
	var b strings.Builder
	b.WriteString(`{"orders":[`)
	for i := range 12 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":"ord-` + strconv.Itoa(i) + `","user_id":42,"sku":"SKU-12345-XL","quantity":3,"price":19.99,"currency":"USD","status":"shipped","placed_at":"2024-11-12T13:14:15Z"}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}()

func BenchmarkCheck(b *testing.B) {
	b.SetBytes(int64(len(benchDoc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := check(benchDoc, DefaultMaxDepth); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilter(b *testing.B) {
	var f filter
	f.allow, _ = buildSelect([]string{"orders.id", "orders.price"})
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(benchDoc)))
	b.ReportAllocs()
	for b.Loop() {
		buf = f.apply(buf[:0], benchDoc)
	}
}
