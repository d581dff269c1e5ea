package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KeyStore keeps API key records, indexed by id and by the hash of each of
// their secrets. [NewMemoryKeyStore] keeps them in process; the redisstore
// package keeps them in Redis, shared by many gateway instances.
//
// Records a store returns may be shared and must not be modified; use
// [APIKey.Clone]. A store must bound the time of every call and report
// failures as errors: the API key block refuses requests it cannot check.
type KeyStore interface {
	// Lookup returns the key holding a secret whose hash is h, or
	// ErrKeyNotFound. It is called for every request and must not create
	// any state for unknown hashes.
	Lookup(ctx context.Context, h KeyHash) (*APIKey, error)
	// Get returns the key with the given id, or ErrKeyNotFound.
	Get(ctx context.Context, id string) (*APIKey, error)
	// Create stores a new key; ErrKeyExists when its id or one of its
	// secret hashes is taken.
	Create(ctx context.Context, k *APIKey) error
	// Update applies fn to a copy of the key with the given id and stores
	// the result atomically with respect to other updates; it returns
	// ErrKeyNotFound for an unknown id, ErrKeyExists when fn gave the key a
	// secret hash another key holds, and fn's error unchanged. fn may be
	// called more than once and must not change the key's ID.
	Update(ctx context.Context, id string, fn func(*APIKey) error) (*APIKey, error)
	// Delete removes a key and its secrets; ErrKeyNotFound when unknown.
	Delete(ctx context.Context, id string) error
}

// KeyManager issues, rotates, disables and deletes API keys in a
// [KeyStore]. Secrets are generated with [GenerateKey], returned once and
// stored only as hashes.
type KeyManager struct {
	// Store keeps the keys. Required.
	Store KeyStore
	// Now returns the current time. If nil, the default is time.Now.
	Now func() time.Time
}

// MaxSecrets is the most secrets a key holds at once: rotating a key that
// already has that many drops its oldest.
const MaxSecrets = 4

func (m *KeyManager) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

// Create issues a new key described by spec (ID, Name, Owner, Disabled,
// ExpiresAt, Plan, Tags, Scopes; Secrets and CreatedAt are ignored). An
// empty ID gets a random one. It returns the secret, which cannot be
// recovered later, and the stored record.
func (m *KeyManager) Create(ctx context.Context, spec APIKey) (string, *APIKey, error) {
	k, err := newRecord(spec)
	if err != nil {
		return "", nil, err
	}
	secret := GenerateKey()
	now := m.now()
	k.CreatedAt = now
	k.Secrets = []KeySecret{{Hash: HashKey(secret), CreatedAt: now}}
	if err := m.Store.Create(ctx, k); err != nil {
		return "", nil, fmt.Errorf("auth: create API key %q: %w", k.ID, err)
	}
	return secret, k, nil
}

// Import stores a key whose secret was issued elsewhere (for example by
// another gateway product), so clients keep their keys. The secret must be
// MinKeyLength to MaxKeyLength visible ASCII characters and should carry at
// least 128 bits of entropy.
func (m *KeyManager) Import(ctx context.Context, spec APIKey, secret string) (*APIKey, error) {
	if !validKey(secret) {
		return nil, fmt.Errorf("auth: imported API key must be %d to %d visible ASCII characters", MinKeyLength, MaxKeyLength)
	}
	k, err := newRecord(spec)
	if err != nil {
		return nil, err
	}
	now := m.now()
	k.CreatedAt = now
	k.Secrets = []KeySecret{{Hash: HashKey(secret), CreatedAt: now}}
	if err := m.Store.Create(ctx, k); err != nil {
		return nil, fmt.Errorf("auth: import API key %q: %w", k.ID, err)
	}
	return k, nil
}

// newRecord copies spec for a new key, giving it a random ID when it has
// none. IDs appear in logs, metrics and rate-limit keys, so they are 1 to
// 128 visible ASCII characters.
func newRecord(spec APIKey) (*APIKey, error) {
	k := spec.Clone()
	if k.ID == "" {
		k.ID = newKeyID()
	}
	if len(k.ID) > 128 || strings.IndexFunc(k.ID, func(c rune) bool { return c <= ' ' || c >= 0x7f }) >= 0 {
		return nil, fmt.Errorf("auth: API key id %q must be 1 to 128 visible ASCII characters", k.ID)
	}
	return k, nil
}

// Rotate issues a new secret for the key with the given id and returns it.
// The key's current secrets keep working for the grace period and then
// stop; a zero grace ends them at once. Rotation never interrupts callers
// that switch to the new secret within the grace period.
func (m *KeyManager) Rotate(ctx context.Context, id string, grace time.Duration) (string, *APIKey, error) {
	if grace < 0 {
		return "", nil, errors.New("auth: negative rotation grace period")
	}
	secret := GenerateKey()
	hash := HashKey(secret)
	k, err := m.Store.Update(ctx, id, func(k *APIKey) error {
		now := m.now()
		end := now.Add(grace)
		kept := k.Secrets[:0]
		for _, s := range k.Secrets {
			if !s.ExpiresAt.IsZero() && !now.Before(s.ExpiresAt) {
				continue // already over
			}
			if s.ExpiresAt.IsZero() || s.ExpiresAt.After(end) {
				s.ExpiresAt = end
			}
			if grace > 0 {
				kept = append(kept, s)
			}
		}
		if len(kept) >= MaxSecrets {
			kept = kept[len(kept)-MaxSecrets+1:]
		}
		k.Secrets = append(kept, KeySecret{Hash: hash, CreatedAt: now})
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("auth: rotate API key %q: %w", id, err)
	}
	return secret, k, nil
}

// SetDisabled disables or re-enables the key with the given id.
func (m *KeyManager) SetDisabled(ctx context.Context, id string, disabled bool) (*APIKey, error) {
	k, err := m.Store.Update(ctx, id, func(k *APIKey) error {
		k.Disabled = disabled
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("auth: update API key %q: %w", id, err)
	}
	return k, nil
}

// Delete removes the key with the given id; its secrets stop working.
func (m *KeyManager) Delete(ctx context.Context, id string) error {
	if err := m.Store.Delete(ctx, id); err != nil {
		return fmt.Errorf("auth: delete API key %q: %w", id, err)
	}
	return nil
}
