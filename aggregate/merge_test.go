package aggregate_test

import (
	"net/http"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/proxy"
)

func TestMerge(t *testing.T) {
	user := `{"id":7,"name":"Ann","address":{"city":"Oslo"},"tags":["a"]}`
	profile := `{"id":8,"bio":"hi","address":{"zip":"0150"},"tags":["b","c"]}`
	list := `[{"id":1},{"id":2}]`
	tests := []struct {
		name     string
		parts    func(u, p, l *proxy.Upstream) []aggregate.Part
		want     string
		complete string
	}{
		{"shallow groups", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Group("user"), aggregate.Call(l, "/").Group("orders")}
		}, `{"user":` + user + `,"orders":` + list + `}`, "true"},
		{"single ungrouped array passes as is", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(l, "/").Allow("id")}
		}, list, "true"},
		{"single ungrouped object", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Allow("name")}
		}, `{"name":"Ann"}`, "true"},
		{"shallow members, earlier leg wins", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Name("user"), aggregate.Call(p, "/").Name("profile"), aggregate.ErrorsField("_errors")}
		}, `{"id":7,"name":"Ann","address":{"city":"Oslo"},"tags":["a"],"bio":"hi","_errors":{"profile":"conflict on id"}}`, "false"},
		{"shallow members with equal values are no conflict", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Allow("id", "name"), aggregate.Call(u, "/").Name("again").Allow("id", "tags")}
		}, `{"id":7,"name":"Ann","tags":["a"]}`, "true"},
		{"deep members with equal values are no conflict", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Allow("id", "address"), aggregate.Call(u, "/").Name("again").Allow("id", "address"), aggregate.Merge(aggregate.Deep)}
		}, `{"id":7,"address":{"city":"Oslo"}}`, "true"},
		{"shallow members without conflict", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Allow("id", "name"), aggregate.Call(p, "/").Allow("bio"), aggregate.Call(l, "/").Group("orders")}
		}, `{"id":7,"name":"Ann","bio":"hi","orders":` + list + `}`, "true"},
		{"deep", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Name("user"), aggregate.Call(p, "/").Name("profile").Deny("id"), aggregate.Merge(aggregate.Deep)}
		}, `{"id":7,"name":"Ann","address":{"city":"Oslo","zip":"0150"},"tags":["a","b","c"],"bio":"hi"}`, "true"},
		{"deep conflict", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Name("user"), aggregate.Call(p, "/").Name("profile"), aggregate.Merge(aggregate.Deep), aggregate.ErrorsField("errors")}
		}, `{"id":7,"name":"Ann","address":{"city":"Oslo","zip":"0150"},"tags":["a","b","c"],"bio":"hi","errors":{"profile":"conflict on id"}}`, "false"},
		{"deep groups merge", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Group("person").Name("u").Allow("name"), aggregate.Call(p, "/").Group("person").Name("p").Allow("bio"), aggregate.Merge(aggregate.Deep)}
		}, `{"person":{"name":"Ann","bio":"hi"}}`, "true"},
		{"concat", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(l, "/").Name("a"), aggregate.Call(u, "/").Name("b").Allow("id"), aggregate.Call(l, "/").Name("c").Allow("id"), aggregate.Call(p, "/").Group("g").Allow("bio"), aggregate.Merge(aggregate.Concat)}
		}, `[{"id":1},{"id":2},{"id":7},{"id":1},{"id":2},{"g":{"bio":"hi"}}]`, "true"},
		{"target", func(u, p, l *proxy.Upstream) []aggregate.Part {
			return []aggregate.Part{aggregate.Call(u, "/").Group("city").Target("address.city"), aggregate.Call(p, "/").Group("tag").Target("tags.1")}
		}, `{"city":"Oslo","tag":"c"}`, "true"},
	}
	u := backend(t, fixed(200, user))
	p := backend(t, fixed(200, profile))
	l := backend(t, fixed(200, list))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := aggregate.Compile(tt.parts(u, p, l)...)
			if err != nil {
				t.Fatal(err)
			}
			rec, _ := serve(a, "/x")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := rec.Body.String(); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			if got := rec.Header().Get(aggregate.CompleteHeader); got != tt.complete {
				t.Fatalf("%s = %q, want %q", aggregate.CompleteHeader, got, tt.complete)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}
