package auth

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// TestJWTSignedClaimsOnly checks that the claims validated and turned into
// the principal are the signed ones, even when the signed claims happen to
// look like a JSON-serialised JWS wrapping other, unsigned claims: a token
// whose signed claims have neither aud nor exp must not pass on the
// strength of an embedded payload naming a subject of its choice.
func TestJWTSignedClaimsOnly(t *testing.T) {
	clock := newTestClock()
	k := rsaTestKey(t, 0, "k1")
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		Now:     clock.Now,
	})
	inner, err := json.Marshal(map[string]any{
		"iss": testIss, "aud": testAud, "sub": "admin", "exp": clock.Now().Add(time.Hour).Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	signed := map[string]any{
		"iss":        testIss,
		"sub":        "user-1",
		"payload":    b64url(inner),
		"signatures": []any{map[string]any{"protected": b64url([]byte(`{"alg":"none"}`)), "signature": ""}},
	}
	p, err := a.Authenticate(context.Background(), k.sign(t, signed))
	if err == nil {
		t.Fatalf("accepted as %q", p.ID)
	}
	if !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("error %v", err)
	}
}
