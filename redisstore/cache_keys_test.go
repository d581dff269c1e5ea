package redisstore

import (
	"strings"
	"testing"
)

// FuzzCacheKeys checks the layout of the store's Redis keys for any two
// cache keys: an entry and the index of its resource share a hash tag (so
// one Cluster slot), and distinct cache keys never share a Redis key.
func FuzzCacheKeys(f *testing.F) {
	f.Add("GET /a\x00s1", "GET /a\x00s1\x00Vgzip", "")
	f.Add("GET /a}\x00x", "GET /a\x00}\x00x", "x{")
	f.Add("GET /a", "GET /a\x01", "{p")
	f.Add("}\x00", "\x00}", "cache:{shared}:")
	f.Fuzz(func(t *testing.T, a, b, prefix string) {
		if prefix == "" || emptyHashTag(prefix) {
			prefix = DefaultCachePrefix
		}
		s := &CacheStore{cfg: CacheConfig{Prefix: prefix}}
		for _, k := range []string{a, b} {
			resource, _, indexed := strings.Cut(k, "\x00")
			tag, ok := hashTag(s.entryKey(k))
			if !ok {
				t.Fatalf("entry key of %q has no hash tag", k)
			}
			if itag, _ := hashTag(s.indexKey(resource)); indexed && itag != tag {
				t.Fatalf("%q: entry tag %q, index tag %q", k, tag, itag)
			}
		}
		if a != b && s.entryKey(a) == s.entryKey(b) {
			t.Fatalf("%q and %q share the entry key %q", a, b, s.entryKey(a))
		}
		resource, _, _ := strings.Cut(b, "\x00")
		if s.entryKey(a) == s.indexKey(resource) {
			t.Fatalf("entry key of %q is the index of %q", a, resource)
		}
	})
}
