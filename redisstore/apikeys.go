package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatewaykit/gateway/auth"
)

// Defaults of [APIKeyStoreConfig].
const (
	// DefaultAPIKeyPrefix starts the Redis key of every API key record. The
	// braces are a Redis Cluster hash tag: they put all records in one slot,
	// so updates can be transactions.
	DefaultAPIKeyPrefix = "gatewaykit:{apikeys}:"
	// DefaultAPIKeyTimeout bounds each lookup of an [APIKeyStore].
	DefaultAPIKeyTimeout = 200 * time.Millisecond
	// DefaultAPIKeyWriteTimeout bounds each create, update and delete.
	DefaultAPIKeyWriteTimeout = 2 * time.Second
)

// APIKeyStoreConfig configures an [APIKeyStore].
type APIKeyStoreConfig struct {
	// Prefix starts every key the store writes. If empty, it is
	// [DefaultAPIKeyPrefix]. With a Redis Cluster or Ring client the prefix
	// must contain a hash tag ("{...}") so that a key's records share a
	// slot; [NewAPIKeyStore] refuses one that does not.
	Prefix string
	// Timeout bounds each Lookup and Get; a lookup that takes longer fails,
	// and the API key block answers 503. If 0, it is [DefaultAPIKeyTimeout].
	// [NewAPIKeyStore] requires a client created with
	// ContextTimeoutEnabled, without which go-redis ignores the deadline.
	Timeout time.Duration
	// WriteTimeout bounds each Create, Update and Delete. If 0, it is
	// [DefaultAPIKeyWriteTimeout].
	WriteTimeout time.Duration
	// Now returns the current time, used to drop the index of secrets whose
	// grace period is over. If nil, the default is time.Now.
	Now func() time.Time
	// OnError, if not nil, is called with every Redis error and the
	// operation that failed ("lookup", "get", "create", "update", "delete"),
	// and with "decode" for a stored record that does not decode.
	OnError func(op string, err error)
}

// APIKeyStore is an [auth.KeyStore] in Redis, shared by every gateway
// instance that uses the same Redis and Prefix. Each key is stored as a
// JSON record under its id, and once more under the hash of each of its
// secrets, so a request's lookup is a single GET. A secret's copy expires
// in Redis when its rotation grace period ends. Creates, updates and
// deletes are optimistic transactions (WATCH/MULTI), so concurrent
// rotations on several instances do not lose secrets.
//
// Only hashes of secrets are stored; a dump of the database reveals no
// usable key.
type APIKeyStore struct {
	client redis.UniversalClient
	cfg    APIKeyStoreConfig
}

var _ auth.KeyStore = (*APIKeyStore)(nil)

// NewAPIKeyStore returns an APIKeyStore on client, which the caller owns
// and closes. The client must be a *redis.Client, *redis.ClusterClient or
// *redis.Ring created with ContextTimeoutEnabled and without read or write
// timeouts of -2, so that each call ends at its deadline; otherwise
// NewAPIKeyStore returns an error.
func NewAPIKeyStore(client redis.UniversalClient, cfg APIKeyStoreConfig) (*APIKeyStore, error) {
	if err := checkDeadlines(client); err != nil {
		return nil, fmt.Errorf("redisstore: NewAPIKeyStore: %w", err)
	}
	if cfg.Timeout < 0 || cfg.WriteTimeout < 0 {
		return nil, errors.New("redisstore: NewAPIKeyStore: negative timeout")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultAPIKeyPrefix
	}
	if _, ok := hashTag(cfg.Prefix); sharded(client) && !ok {
		return nil, fmt.Errorf("redisstore: NewAPIKeyStore: Prefix %q has no hash tag; a Redis Cluster or Ring "+
			"needs one (as in %q) to update a key's records together", cfg.Prefix, DefaultAPIKeyPrefix)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultAPIKeyTimeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultAPIKeyWriteTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &APIKeyStore{client: client, cfg: cfg}, nil
}

func (s *APIKeyStore) idKey(id string) string        { return s.cfg.Prefix + "id:" + id }
func (s *APIKeyStore) hashKey(h auth.KeyHash) string { return s.cfg.Prefix + "h:" + h.String() }

// Lookup implements [auth.KeyStore] with one GET. Unknown hashes leave no
// trace in Redis.
func (s *APIKeyStore) Lookup(ctx context.Context, h auth.KeyHash) (*auth.APIKey, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return s.get(ctx, s.client, "lookup", s.hashKey(h))
}

// Get implements [auth.KeyStore].
func (s *APIKeyStore) Get(ctx context.Context, id string) (*auth.APIKey, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	return s.get(ctx, s.client, "get", s.idKey(id))
}

func (s *APIKeyStore) get(ctx context.Context, c redis.Cmdable, op, key string) (*auth.APIKey, error) {
	b, err := c.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, auth.ErrKeyNotFound
	case err != nil:
		return nil, s.fail(op, err)
	}
	k := new(auth.APIKey)
	if err := json.Unmarshal(b, k); err != nil {
		err = fmt.Errorf("redisstore: API key record %q: %w", key, err)
		if op != "" {
			s.fail("decode", err)
		}
		return nil, err
	}
	return k, nil
}

// Create implements [auth.KeyStore].
func (s *APIKeyStore) Create(ctx context.Context, k *auth.APIKey) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	keys := []string{s.idKey(k.ID)}
	for _, sec := range k.Secrets {
		keys = append(keys, s.hashKey(sec.Hash))
	}
	return s.transact(ctx, "create", func(tx *redis.Tx) error {
		n, err := tx.Exists(ctx, keys...).Result()
		if err != nil {
			return err
		}
		if n > 0 {
			return auth.ErrKeyExists
		}
		return s.write(ctx, tx, nil, k)
	}, keys...)
}

// Update implements [auth.KeyStore]. A secret the update adds that another
// key holds is refused with [auth.ErrKeyExists].
func (s *APIKeyStore) Update(ctx context.Context, id string, fn func(*auth.APIKey) error) (*auth.APIKey, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	var out *auth.APIKey
	err := s.transact(ctx, "update", func(tx *redis.Tx) error {
		old, err := s.get(ctx, tx, "", s.idKey(id))
		if err != nil {
			return err
		}
		k := old.Clone()
		if err := fn(k); err != nil {
			return callerError{err}
		}
		if k.ID != id {
			return fmt.Errorf("redisstore: update changed the key id from %q to %q", id, k.ID)
		}
		if err := s.checkNewSecrets(ctx, tx, old, k); err != nil {
			return err
		}
		out = k
		return s.write(ctx, tx, old, k)
	}, s.idKey(id))
	var ce callerError
	if errors.As(err, &ce) {
		return nil, ce.err
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkNewSecrets refuses, with auth.ErrKeyExists, secrets k gained that
// another key holds: their index would otherwise point at k, and the other
// key's clients would authenticate as k. The new secrets' keys are watched
// until the transaction ends.
func (s *APIKeyStore) checkNewSecrets(ctx context.Context, tx *redis.Tx, old, k *auth.APIKey) error {
	var keys []string
	for _, sec := range k.Secrets {
		if !hasSecret(old, sec.Hash) {
			keys = append(keys, s.hashKey(sec.Hash))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	if err := tx.Watch(ctx, keys...).Err(); err != nil {
		return err
	}
	n, err := tx.Exists(ctx, keys...).Result()
	if err != nil {
		return err
	}
	if n > 0 {
		return auth.ErrKeyExists
	}
	return nil
}

// callerError carries the error of an Update function through the
// transaction unreported.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }

// Delete implements [auth.KeyStore].
func (s *APIKeyStore) Delete(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	return s.transact(ctx, "delete", func(tx *redis.Tx) error {
		old, err := s.get(ctx, tx, "", s.idKey(id))
		if err != nil {
			return err
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, s.idKey(id))
			for _, sec := range old.Secrets {
				p.Del(ctx, s.hashKey(sec.Hash))
			}
			return nil
		})
		return err
	}, s.idKey(id))
}

// write stores k under its id and each live secret hash, and removes the
// hashes of old that k no longer has, in one MULTI/EXEC.
func (s *APIKeyStore) write(ctx context.Context, tx *redis.Tx, old, k *auth.APIKey) error {
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.idKey(k.ID), b, 0)
		if old != nil {
			for _, sec := range old.Secrets {
				if !hasSecret(k, sec.Hash) {
					p.Del(ctx, s.hashKey(sec.Hash))
				}
			}
		}
		for _, sec := range k.Secrets {
			switch {
			case sec.ExpiresAt.IsZero():
				p.Set(ctx, s.hashKey(sec.Hash), b, 0)
			case sec.ExpiresAt.After(now):
				p.Set(ctx, s.hashKey(sec.Hash), b, 0)
				p.PExpireAt(ctx, s.hashKey(sec.Hash), sec.ExpiresAt)
			default:
				p.Del(ctx, s.hashKey(sec.Hash))
			}
		}
		return nil
	})
	return err
}

// transact runs fn in an optimistic transaction watching keys, retrying a
// few times when another client changed them first.
func (s *APIKeyStore) transact(ctx context.Context, op string, fn func(*redis.Tx) error, keys ...string) error {
	var err error
	for range 5 {
		err = s.client.Watch(ctx, fn, keys...)
		if !errors.Is(err, redis.TxFailedErr) {
			break
		}
	}
	var ce callerError
	if err != nil && !errors.As(err, &ce) && !errors.Is(err, auth.ErrKeyNotFound) && !errors.Is(err, auth.ErrKeyExists) {
		return s.fail(op, err)
	}
	return err
}

func hasSecret(k *auth.APIKey, h auth.KeyHash) bool {
	for _, sec := range k.Secrets {
		if sec.Hash == h {
			return true
		}
	}
	return false
}

// fail reports err to OnError, unless op is "" (the caller reports it).
func (s *APIKeyStore) fail(op string, err error) error {
	if err != nil && op != "" && s.cfg.OnError != nil {
		s.cfg.OnError(op, err)
	}
	return err
}
