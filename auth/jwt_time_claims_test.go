package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestJWTTimeClaims checks the registered time claims at their edges: an
// exp of zero (or anything within its first second) is the start of 1970,
// long past, not "no expiry"; and exp, nbf and iat must be JSON numbers
// (RFC 7519 section 2, NumericDate), not strings a lenient parser reads as
// dates, nor times before 1970.
func TestJWTTimeClaims(t *testing.T) {
	clock := newTestClock()
	now := clock.Now()
	k := rsaTestKey(t, 0, "k1")
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		Now:     clock.Now,
	})
	with := func(name string, v any) map[string]any {
		c := claimsAt(now, testIss, testAud)
		c[name] = v
		return c
	}
	future := now.Add(time.Hour)
	tests := []struct {
		name   string
		claims map[string]any
		want   error // nil: accepted
	}{
		{"exp in an hour", with("exp", future.Unix()), nil},
		{"exp with a fraction", with("exp", float64(future.Unix())+0.5), nil},
		{"exp zero", with("exp", 0), errExpired},
		{"exp within the first second of 1970", with("exp", 0.5), errExpired},
		{"exp as a numeric string", with("exp", "0"), errInvalidClaims},
		{"exp as an RFC 3339 string", with("exp", future.Format(time.RFC3339)), errInvalidClaims},
		{"exp as an epoch date string", with("exp", "1970-01-01T00:00:00Z"), errInvalidClaims},
		{"nbf as a string", with("nbf", now.Format(time.RFC3339)), errInvalidClaims},
		{"iat as a string", with("iat", now.Format(time.RFC3339)), errInvalidClaims},
		{"nbf zero", with("nbf", 0), nil},
		{"iat zero", with("iat", 0), nil},
		{"exp negative", with("exp", -5), errInvalidClaims},
		{"exp negative fraction", with("exp", -0.5), errInvalidClaims},
		{"nbf negative", with("nbf", -5), errInvalidClaims},
		{"iat negative", with("iat", -5), errInvalidClaims},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := k.sign(t, tt.claims)
			// Twice, so a token remembered by the cache is checked too.
			for range 2 {
				p, err := a.Authenticate(context.Background(), tok)
				if tt.want == nil {
					if err != nil {
						t.Fatalf("rejected: %v", err)
					}
					continue
				}
				if !errors.Is(err, tt.want) {
					t.Fatalf("err = %v (principal %+v), want %v", err, p, tt.want)
				}
			}
		})
	}
}
