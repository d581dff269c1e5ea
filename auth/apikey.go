package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"slices"
	"time"
)

// APIKey is an API key's record as a [KeyStore] keeps it: metadata and the
// hashes of its secrets, never a secret itself. A key has one secret, or
// two or more while a rotation's grace period lets the old one keep
// working.
type APIKey struct {
	// ID identifies the key in logs, metrics and the principal's KeyID. It
	// is not secret.
	ID string `json:"id"`
	// Name is a human-readable label.
	Name string `json:"name,omitempty"`
	// Owner is who the key was issued to; it becomes the principal's ID.
	// If empty, the principal's ID is the key ID.
	Owner string `json:"owner,omitempty"`
	// Disabled keys are refused with 403.
	Disabled bool `json:"disabled,omitempty"`
	// ExpiresAt, if not zero, is when the key stops working (401).
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Plan names the usage plan the key belongs to, for rate limits and
	// quotas; it is the principal's "plan" claim.
	Plan string `json:"plan,omitempty"`
	// Tags are free-form labels, passed on as the principal's "tags" claim.
	Tags map[string]string `json:"tags,omitempty"`
	// Scopes are granted to the principal.
	Scopes []string `json:"scopes,omitempty"`
	// CreatedAt is when the key was created.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Secrets are the hashes of the key's valid secrets, newest last.
	Secrets []KeySecret `json:"secrets"`

	// p is the principal of the record, precomputed by stores that share
	// their records between requests ([MemoryKeyStore]); nil otherwise.
	p *Principal
}

// KeySecret is one secret of an [APIKey], by hash.
type KeySecret struct {
	// Hash is [HashKey] of the secret.
	Hash KeyHash `json:"hash"`
	// CreatedAt is when the secret was issued.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// ExpiresAt, if not zero, is when the secret stops working: the end of
	// the grace period after it was rotated out.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// KeyHash is the SHA-256 hash of an API key secret. Secrets are random
// with at least 128 bits of entropy, so a plain hash cannot be reversed by
// guessing, and stores can index keys by it.
type KeyHash [sha256.Size]byte

// HashKey returns the hash under which the secret key is stored.
func HashKey(key string) KeyHash {
	var buf [MaxKeyLength]byte // keeps the common case off the heap
	if len(key) <= len(buf) {
		n := copy(buf[:], key)
		return sha256.Sum256(buf[:n])
	}
	return sha256.Sum256([]byte(key))
}

// String returns the hash in hexadecimal.
func (h KeyHash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText encodes the hash in hexadecimal.
func (h KeyHash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes a hexadecimal hash.
func (h *KeyHash) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(h) {
		return hex.ErrLength
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// Key syntax: generated keys are KeyPrefix followed by 43 base64url
// characters (256 random bits). Keys imported from elsewhere may have any
// form within MinKeyLength..MaxKeyLength visible ASCII characters.
const (
	// KeyPrefix starts every generated key, so secret scanners can find
	// leaked keys.
	KeyPrefix = "gk_"
	// MinKeyLength is the shortest key accepted: 16 characters.
	MinKeyLength = 16
	// MaxKeyLength is the longest key accepted; longer values are refused
	// before any hashing or store lookup.
	MaxKeyLength = 256
)

// GenerateKey returns a new secret key: [KeyPrefix] and 256 bits from the
// operating system's CSPRNG, base64url-encoded. Show it to its owner once
// and store only [HashKey] of it.
func GenerateKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return KeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// newKeyID returns a random key id.
func newKeyID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "key_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// validKey reports whether k has the syntax of a key: MinKeyLength to
// MaxKeyLength visible ASCII characters.
func validKey(k string) bool {
	if len(k) < MinKeyLength || len(k) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] >= 0x7f {
			return false
		}
	}
	return true
}

// secret returns the secret of k whose hash is h, comparing in constant
// time, or nil.
func (k *APIKey) secret(h KeyHash) *KeySecret {
	var found *KeySecret
	for i := range k.Secrets {
		if subtle.ConstantTimeCompare(k.Secrets[i].Hash[:], h[:]) == 1 {
			found = &k.Secrets[i]
		}
	}
	return found
}

// Clone returns a deep copy of k.
func (k *APIKey) Clone() *APIKey {
	c := *k
	c.Tags = maps.Clone(k.Tags)
	c.Scopes = slices.Clone(k.Scopes)
	c.Secrets = slices.Clone(k.Secrets)
	c.p = nil
	return &c
}

// principal returns the principal a request authenticated with k carries.
// The principal is shared and read only.
func (k *APIKey) principal() *Principal {
	if k.p != nil {
		return k.p
	}
	return k.newPrincipal()
}

func (k *APIKey) newPrincipal() *Principal {
	p := &Principal{ID: k.Owner, KeyID: k.ID, Method: MethodAPIKey, Scopes: k.Scopes}
	if p.ID == "" {
		p.ID = k.ID
	}
	claims := make(map[string]any, 3)
	if k.Name != "" {
		claims["key_name"] = k.Name
	}
	if k.Plan != "" {
		claims["plan"] = k.Plan
	}
	if len(k.Tags) > 0 {
		tags := make(map[string]any, len(k.Tags))
		for n, v := range k.Tags {
			tags[n] = v
		}
		claims["tags"] = tags
	}
	p.Claims = claims
	return p
}
