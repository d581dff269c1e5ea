package redisstore

import (
	"strings"

	"github.com/redis/go-redis/v9"
)

// hashTag returns the part of key that Redis Cluster hashes to choose its
// slot: the text between the first '{' and the first '}' after it, when
// that text is not empty. ok is false when key has no such tag, and then
// the whole key is hashed.
func hashTag(key string) (tag string, ok bool) {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return "", false
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return "", false
	}
	return key[i+1 : i+1+j], true
}

// emptyHashTag reports whether s starts a hash tag that is empty ("{}"),
// which makes Redis Cluster hash each whole key instead and so scatters
// keys that must share a slot.
func emptyHashTag(s string) bool {
	i := strings.IndexByte(s, '{')
	return i >= 0 && i+1 < len(s) && s[i+1] == '}'
}

// sharded reports whether client spreads keys over several servers by
// their hash slot, so that the keys of one script or transaction must
// share a hash tag.
func sharded(client redis.UniversalClient) bool {
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		return true
	}
	return false
}
