package ratelimit

import (
	"net/http"
	"testing"
)

// FuzzHeaderKey sends arbitrary client-chosen keys: each is limited on its
// own, none makes the store hold more than maxKeyLen bytes of it, and the
// limiter answers only 204 or 429.
func FuzzHeaderKey(f *testing.F) {
	f.Add("client-1", "client-2")
	f.Add("", "x")
	f.Add(string(make([]byte, 300)), string(make([]byte, 301)))
	f.Add("sha256:abc", "\xff\x00}{")
	f.Fuzz(func(t *testing.T, a, b string) {
		store := memStore(t, newClock(epoch), 0)
		h := newLimiter(t, PerMinute(1), ByHeader("X-Key"), Name("fuzz"), WithStore(store)).Handler(ok)
		send := func(k string) int {
			r := get()
			r.Header["X-Key"] = []string{k}
			return serve(h, r).Code
		}
		codeA := send(a)
		if a == "" {
			if codeA != http.StatusNoContent || store.Len() != 0 {
				t.Fatalf("empty key: %d, %d keys", codeA, store.Len())
			}
			return
		}
		if codeA != http.StatusNoContent || send(a) != http.StatusTooManyRequests {
			t.Fatalf("key %q not limited on its own", a)
		}
		if b != "" && b != a && send(b) != http.StatusNoContent {
			t.Fatalf("key %q limited by %q", b, a)
		}
		for i := range store.shards {
			for _, e := range store.shards[i].entries {
				if len(e.k.key) > maxKeyLen {
					t.Fatalf("store holds a %d-byte key", len(e.k.key))
				}
			}
		}
	})
}
