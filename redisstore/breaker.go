package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// Defaults of [BreakerStoreConfig].
const (
	// DefaultBreakerPrefix starts the Redis key of every breaker's state
	// and lock; the names gobreaker gives them follow it.
	DefaultBreakerPrefix = "gatewaykit:"
	// DefaultBreakerTimeout bounds each operation of a [BreakerStore].
	DefaultBreakerTimeout = 50 * time.Millisecond
	// DefaultBreakerTTL is how long a breaker's state outlives its last
	// write.
	DefaultBreakerTTL = 24 * time.Hour
	// DefaultBreakerLockTTL is how long a lock is held at most when its
	// holder never releases it.
	DefaultBreakerLockTTL = 5 * time.Second
)

// ErrBreakerLocked is returned by [BreakerStore.Lock] when another holder
// has the lock; gobreaker's distributed breaker retries.
var ErrBreakerLocked = errors.New("redisstore: breaker state is locked")

// BreakerStoreConfig configures a [BreakerStore].
type BreakerStoreConfig struct {
	// Prefix starts every key the store writes. If empty,
	// [DefaultBreakerPrefix].
	Prefix string
	// Timeout bounds each Redis operation, so a hung Redis delays a
	// breaker decision by at most that long. If 0, [DefaultBreakerTimeout].
	// The client must be created with ContextTimeoutEnabled (or read and
	// write timeouts as short) for a hung server to be given up on in time.
	Timeout time.Duration
	// TTL is how long a state lives after its last write, so the states of
	// breakers that no longer exist go away. If 0, [DefaultBreakerTTL].
	TTL time.Duration
	// LockTTL bounds how long a lock is held when its holder dies. If 0,
	// [DefaultBreakerLockTTL].
	LockTTL time.Duration
	// OnError, if not nil, is called with every Redis error and the
	// operation that failed ("lock", "unlock", "get", "set").
	OnError func(op string, err error)
}

// BreakerStore keeps circuit-breaker state in Redis for every gateway
// instance that uses the same Redis and Prefix. It implements gobreaker's
// SharedDataStore, so it serves the breaker package's [breaker.Settings]
// Store as well as gobreaker's own distributed breaker. Data are stored as
// Redis strings with a time to live; locks are SET NX with an expiry and a
// random token, released only by their holder.
//
// [breaker.Settings]: https://pkg.go.dev/github.com/gatewaykit/gateway/breaker#Settings
type BreakerStore struct {
	client redis.UniversalClient
	cfg    BreakerStoreConfig

	mu     sync.Mutex
	tokens map[string]string // lock name -> token of the lock this store holds
}

var _ gobreaker.SharedDataStore = (*BreakerStore)(nil)

// unlockScript deletes a lock only when it still holds the caller's token.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// NewBreakerStore returns a BreakerStore on client, which the caller owns
// and closes. The client must be created with ContextTimeoutEnabled (a
// *redis.Client, *redis.ClusterClient or *redis.Ring), so that a hung
// server costs a call its timeout and no more; other clients are refused.
func NewBreakerStore(client redis.UniversalClient, cfg BreakerStoreConfig) (*BreakerStore, error) {
	if err := checkDeadlines(client); err != nil {
		return nil, fmt.Errorf("redisstore: NewBreakerStore: %w", err)
	}
	if cfg.Timeout < 0 || cfg.TTL < 0 || cfg.LockTTL < 0 {
		return nil, errors.New("redisstore: NewBreakerStore: negative duration")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultBreakerPrefix
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultBreakerTimeout
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultBreakerTTL
	}
	if cfg.LockTTL == 0 {
		cfg.LockTTL = DefaultBreakerLockTTL
	}
	return &BreakerStore{client: client, cfg: cfg, tokens: map[string]string{}}, nil
}

func (s *BreakerStore) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.cfg.Timeout)
}

// Lock takes the lock called name, or returns [ErrBreakerLocked] when
// another holder has it.
func (s *BreakerStore) Lock(name string) error {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	ctx, cancel := s.ctx()
	defer cancel()
	ok, err := s.client.SetNX(ctx, s.cfg.Prefix+name, token, s.cfg.LockTTL).Result()
	if err != nil {
		return s.fail("lock", err)
	}
	if !ok {
		return ErrBreakerLocked
	}
	s.mu.Lock()
	s.tokens[name] = token
	s.mu.Unlock()
	return nil
}

// Unlock releases the lock called name if this store holds it.
func (s *BreakerStore) Unlock(name string) error {
	s.mu.Lock()
	token, ok := s.tokens[name]
	delete(s.tokens, name)
	s.mu.Unlock()
	if !ok {
		return nil
	}
	ctx, cancel := s.ctx()
	defer cancel()
	return s.fail("unlock", unlockScript.Run(ctx, s.client, []string{s.cfg.Prefix + name}, token).Err())
}

// GetData returns the data stored under name, or nil when there is none.
func (s *BreakerStore) GetData(name string) ([]byte, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	b, err := s.client.Get(ctx, s.cfg.Prefix+name).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, s.fail("get", err)
	}
	return b, nil
}

// SetData stores data under name for the configured TTL.
func (s *BreakerStore) SetData(name string, data []byte) error {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.fail("set", s.client.Set(ctx, s.cfg.Prefix+name, data, s.cfg.TTL).Err())
}

// fail reports a non-nil err to OnError and returns it.
func (s *BreakerStore) fail(op string, err error) error {
	if err != nil && s.cfg.OnError != nil {
		s.cfg.OnError(op, err)
	}
	return err
}
