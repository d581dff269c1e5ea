package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// TestJWTCacheKeyReplacedUnderSameKID checks that a cached token is
// trusted only while the very key that verified it is published: an
// issuer that replaces a key but keeps its kid revokes the tokens the old
// key signed, cached or not.
func TestJWTCacheKeyReplacedUnderSameKID(t *testing.T) {
	clock := newTestClock()
	old, replacement, other := rsaTestKey(t, 0, "k1"), rsaTestKey(t, 1, "k1"), ecTestKey(t, "k2")
	srv := newJWKSServer(t, old)
	log := newRefreshLog()
	a := newTestJWT(t, JWTConfig{
		Issuers:       []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		OnKeysRefresh: log.record,
		Now:           clock.Now,
	})
	if err := log.wait(t); err != nil {
		t.Fatalf("initial fetch: %v", err)
	}
	ctx := context.Background()
	tok := old.sign(t, claimsAt(clock.Now(), testIss, testAud))
	if _, err := a.Authenticate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	srv.setKeys(t, replacement, other)
	// Past the minimum refresh interval, within the cache's TTL.
	clock.Add(defaultMinRefreshInterval + time.Second)
	if _, err := a.Authenticate(ctx, other.sign(t, claimsAt(clock.Now(), testIss, testAud))); err != nil {
		t.Fatalf("new key not picked up: %v", err)
	}
	if err := log.wait(t); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if _, err := a.Authenticate(ctx, tok); !errors.Is(err, errBadSignature) {
		t.Fatalf("token of a replaced key: %v", err)
	}
}

// TestVerifiedTrusted checks when a cached token stays trusted as its
// issuer's key set is replaced: while a key of the same id and material is
// published, whether or not it has an id.
func TestVerifiedTrusted(t *testing.T) {
	k1, k1b, k2 := rsaTestKey(t, 0, "k1"), rsaTestKey(t, 1, "k1"), ecTestKey(t, "k2")
	anon, anonB := rsaTestKey(t, 0, ""), rsaTestKey(t, 2, "")
	set := func(keys ...testKey) *keySet {
		t.Helper()
		var ks []jwk.Key
		for _, k := range keys {
			ks = append(ks, k.pub)
		}
		s, err := newKeySet(ks, false)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name  string
		first *keySet
		kid   string
		next  func(first *keySet) *keySet
		want  bool
	}{
		{"same set", set(k1, k2), "k1", func(f *keySet) *keySet { return f }, true},
		{"same key fetched again", set(k1, k2), "k1", func(*keySet) *keySet { return set(k2, k1) }, true},
		{"key withdrawn", set(k1, k2), "k1", func(*keySet) *keySet { return set(k2) }, false},
		{"kid kept, key replaced", set(k1, k2), "k1", func(*keySet) *keySet { return set(k1b, k2) }, false},
		{"no kid, same key fetched again", set(anon), "", func(*keySet) *keySet { return set(anon) }, true},
		{"no kid, key replaced", set(anon), "", func(*keySet) *keySet { return set(anonB) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss := &issuerState{name: testIss}
			iss.keys.Store(tt.first)
			v := &verified{issuer: iss, keys: tt.first, key: tt.first.candidates(tt.kid)[0], kid: tt.kid}
			iss.keys.Store(tt.next(tt.first))
			if got := v.trusted(); got != tt.want {
				t.Fatalf("trusted() = %v, want %v", got, tt.want)
			}
		})
	}
}
