package redisstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// afterScan is a redis.Hook that calls fn once, after the first SCAN
// command has returned and before the keys it listed are removed.
type afterScan struct {
	once sync.Once
	fn   func()
}

func (h *afterScan) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *afterScan) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if cmd.Name() == "scan" {
			h.once.Do(h.fn)
		}
		return err
	}
}

func (h *afterScan) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestCacheScanPurgeKeepsEntriesIndexed checks that a purge that scans the
// keyspace (PurgePrefix, Flush) never removes an index while an entry it
// lists is left: an entry written while the scan runs, after the scan has
// passed its key but before it reaches its index, must not outlive the
// index, or later writes to its resource could no longer invalidate it.
func TestCacheScanPurgeKeepsEntriesIndexed(t *testing.T) {
	for _, purge := range []string{"flush", "prefix"} {
		t.Run(purge, func(t *testing.T) {
			s, srv, log := newCacheStore(t, CacheConfig{})
			ctx := context.Background()
			other := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
			t.Cleanup(func() { _ = other.Close() })
			writer, err := NewCacheStore(other, CacheConfig{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Set(ctx, "GET /a\x00old", entry("old"), time.Hour); err != nil {
				t.Fatal(err)
			}
			s.client.(*redis.Client).AddHook(&afterScan{fn: func() {
				if err := writer.Set(ctx, "GET /a\x00new", entry("new"), time.Hour); err != nil {
					t.Error(err)
				}
			}})
			if purge == "flush" {
				err = s.Flush(ctx)
			} else {
				err = s.DeletePrefix(ctx, "GET /")
			}
			if err != nil {
				t.Fatal(err)
			}
			// A write to /a invalidates every entry of it.
			if err := writer.DeletePrefix(ctx, "GET /a\x00"); err != nil {
				t.Fatal(err)
			}
			if got := present(t, writer, []string{"GET /a\x00old", "GET /a\x00new"}); len(got) != 0 {
				t.Errorf("entries %q outlive the invalidation of their resource", got)
			}
			if ops := log.list(); len(ops) != 0 {
				t.Errorf("errors reported: %v", ops)
			}
		})
	}
}
