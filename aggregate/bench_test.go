package aggregate_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/internal/reqctx"
)

// benchUser is a JSON object of about 1 KiB; benchOrders about 2 KiB.
var (
	benchUser   = `{"id":42,"username":"jdoe","name":"Jane Doe","email":"jane.doe@example.com","bio":"` + strings.Repeat("systems and APIs ", 50) + `","address":{"city":"Springfield","zip":"99999"},"roles":["admin","editor"],"active":true,"score":4.5}`
	benchOrders = func() string {
		var b strings.Builder
		b.WriteString(`{"orders":[`)
		for i := range 12 {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"ord-` + strconv.Itoa(i) + `","user_id":42,"sku":"SKU-12345-XL","quantity":3,"price":19.99,"currency":"USD","status":"shipped","placed_at":"2024-11-12T13:14:15Z"}`)
		}
		b.WriteString(`]}`)
		return b.String()
	}()
)

type discard struct {
	h      http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

func runBench(b *testing.B, h http.Handler) {
	req := httptest.NewRequest(http.MethodGet, "/agg/42", nil)
	info := &reqctx.Info{RequestID: "bench", Params: reqctx.Params{{Key: "id", Value: "42"}}}
	req = req.WithContext(reqctx.With(req.Context(), info))
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status, w.n = 0, 0
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.h.Get(aggregate.CompleteHeader) != "true" {
			b.Fatalf("status %d, complete %q", w.status, w.h.Get(aggregate.CompleteHeader))
		}
	}
}

// BenchmarkAggregate2 merges a user (about 1 KiB) and the user's orders
// (about 2 KiB) from two backends, as the dashboard route does.
func BenchmarkAggregate2(b *testing.B) {
	users := backend(b, fixed(200, benchUser))
	orders := backend(b, fixed(200, benchOrders))
	runBench(b, aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user"),
		aggregate.Call(orders, "/orders?user=:id").Group("orders"),
	))
}

// BenchmarkAggregate2Filtered is BenchmarkAggregate2 with field filters on
// both legs.
func BenchmarkAggregate2Filtered(b *testing.B) {
	users := backend(b, fixed(200, benchUser))
	orders := backend(b, fixed(200, benchOrders))
	runBench(b, aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user").Deny("bio", "address.zip"),
		aggregate.Call(orders, "/orders?user=:id").Group("orders").Target("orders").Allow("id", "price"),
	))
}

// BenchmarkAggregate5 merges five legs: four grouped and one merged at the
// top level.
func BenchmarkAggregate5(b *testing.B) {
	users := backend(b, fixed(200, benchUser))
	orders := backend(b, fixed(200, benchOrders))
	runBench(b, aggregate.New(
		aggregate.Call(users, "/users/:id").Group("user"),
		aggregate.Call(orders, "/orders?user=:id").Group("orders"),
		aggregate.Call(users, "/users/:id/friends").Group("friends"),
		aggregate.Call(orders, "/orders?user=:id&status=open").Group("open"),
		aggregate.Call(users, "/users/:id/prefs").Allow("roles", "active"),
	))
}
