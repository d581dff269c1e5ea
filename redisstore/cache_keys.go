package redisstore

import "strings"

// Redis keys of a [CacheStore]. A cache key is laid out as the method, a
// space and the escaped path, then a NUL and the rest (see [cache.Store]);
// the part before the first NUL names the resource, and every entry of it
// (each variant, each stage, each principal) is indexed under it, so that
// a write invalidates the resource in time proportional to its entries.
//
// For a cache key resource NUL rest, the store writes
//
//	entry: Prefix "{p" resource "}" NUL rest
//	index: Prefix "{p" resource "}" 0x01
//
// and a cache key without a NUL, which no purge of a resource can match, is
// written Prefix "{p" key "}" and not indexed. The index
// is a sorted set of the entry keys of the resource, each scored with the
// Unix millisecond at which it expires. The hash tag puts a resource's
// entries and its index in one Redis Cluster slot, so that one script may
// write or remove them together; it starts with a letter so that it is
// never empty, whatever the key. The resource contains no NUL, so the first
// NUL after the tag ends it and the layout is unambiguous.

// entryKey returns the Redis key of the entry stored under key.
func (s *CacheStore) entryKey(key string) string {
	resource, rest, ok := strings.Cut(key, "\x00")
	if !ok {
		return s.cfg.Prefix + "{p" + key + "}"
	}
	return s.cfg.Prefix + "{p" + resource + "}\x00" + rest
}

// indexKey returns the Redis key of the index of the entries whose cache
// key starts with resource and then a NUL.
func (s *CacheStore) indexKey(resource string) string {
	return s.cfg.Prefix + "{p" + resource + "}\x01"
}

// isIndexKey reports whether the Redis key k is the index of a resource:
// an entry key holds a NUL after its tag (or, not indexed, ends with the
// tag's "}"), and the resource of an index holds none.
func (s *CacheStore) isIndexKey(k string) bool {
	rest, ok := strings.CutPrefix(k, s.cfg.Prefix+"{p")
	return ok && strings.HasSuffix(rest, "}\x01") && !strings.Contains(rest, "\x00")
}
