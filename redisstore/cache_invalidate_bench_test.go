package redisstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/internal/redistest"
)

// BenchmarkCacheInvalidatePathRedis measures what a successful write costs
// the store: the invalidation of one path that holds three variants, with
// many entries of other paths in the same Redis. Each iteration stores the
// three variants again and invalidates the path.
func BenchmarkCacheInvalidatePathRedis(b *testing.B) {
	srv := redistest.Start(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()
	s, err := NewCacheStore(client, CacheConfig{Timeout: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := entry(`{"id":42}`)
	others := 0
	for _, n := range []int{1_000, 100_000} {
		// Fill up to n entries of other paths, in batches of Set calls.
		for others < n {
			pipe := make(chan int, 64)
			done := make(chan struct{})
			for range 16 {
				go func() {
					for i := range pipe {
						_ = s.Set(ctx, "GET /other/"+strconv.Itoa(i)+"\x00v", e, time.Hour)
					}
					done <- struct{}{}
				}()
			}
			for ; others < n; others++ {
				pipe <- others
			}
			close(pipe)
			for range 16 {
				<-done
			}
		}
		b.Run("others="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, v := range [...]string{"a", "b", "c"} {
					if err := s.Set(ctx, "GET /items/1\x00"+v, e, time.Minute); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.DeletePrefix(ctx, "GET /items/1\x00"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCacheSetRedis measures the store's write of one entry of a
// path that holds a few others.
func BenchmarkCacheSetRedis(b *testing.B) {
	srv := redistest.Start(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()
	s, err := NewCacheStore(client, CacheConfig{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e := entry(`{"id":42}`)
	keys := [...]string{"GET /items/1\x00a", "GET /items/1\x00b", "GET /items/1\x00c", "GET /items/1\x00d"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.Set(ctx, keys[i%len(keys)], e, time.Minute); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
