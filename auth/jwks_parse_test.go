package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// TestKeySetOfEntries checks how the entries of a fetched set are read:
// a key of a known type that is unusable (too weak, off its curve, with
// an exponent of 1) is skipped and the rest of the set kept; an entry of
// an unknown key type makes the whole set malformed, so the last good one
// stays.
func TestKeySetOfEntries(t *testing.T) {
	good := rsaTestKey(t, 0, "good")
	goodJSON, err := json.Marshal(good.pub)
	if err != nil {
		t.Fatal(err)
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaEntry := func(kid string, n *big.Int, e int) map[string]any {
		return map[string]any{"kty": "RSA", "kid": kid, "n": b64url(n.Bytes()), "e": b64url(big.NewInt(int64(e)).Bytes())}
	}
	strong := rsaKey(1)
	tests := []struct {
		name  string
		entry map[string]any
		ok    bool
	}{
		{"weak RSA key", rsaEntry("weak", weak.N, weak.E), true},
		{"RSA exponent of 1", rsaEntry("e1", strong.N, 1), true},
		{"EC point off the curve", map[string]any{"kty": "EC", "kid": "ec", "crv": "P-256", "x": b64url(make([]byte, 32)), "y": b64url(make([]byte, 32))}, true},
		{"unknown algorithm", map[string]any{"kty": "RSA", "kid": "a", "alg": "XX999", "n": b64url(strong.N.Bytes()), "e": "AQAB"}, true},
		{"unknown key type", map[string]any{"kty": "XYZ", "kid": "pq", "pub": "AAAA"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := json.Marshal(map[string]any{"keys": []any{json.RawMessage(goodJSON), tt.entry}})
			if err != nil {
				t.Fatal(err)
			}
			set, err := jwk.Parse(body, jwk.WithStrictKeySetParsing(false))
			if err != nil {
				t.Fatal(err)
			}
			ks, err := keySetOf(set)
			if !tt.ok {
				if err == nil {
					t.Fatal("set accepted")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(ks.all) != 1 || !ks.hasKID("good") {
				t.Fatalf("keys %d, want the good one only", len(ks.all))
			}
		})
	}
}
