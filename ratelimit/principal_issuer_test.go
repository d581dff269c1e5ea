package ratelimit_test

import (
	"bytes"
	"crypto/ed25519"
	"net/http"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/auth"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/ratelimit"
)

// TestByPrincipalKeepsIssuersApart accepts tokens of two issuers, each of
// which names its own users: the same subject at two issuers is two
// callers, and one of them must not use up the other's limit.
func TestByPrincipalKeepsIssuersApart(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := func() time.Time { return now }
	keys := map[string]ed25519.PrivateKey{
		"https://staff.example.com/":   ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)),
		"https://partner.example.net/": ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize)),
	}
	var issuers []auth.Issuer
	for iss, k := range keys {
		issuers = append(issuers, auth.Issuer{Issuer: iss, Keys: []any{k.Public()}, Audiences: []string{"api"}})
	}
	token := func(iss, sub string) string {
		tok, err := jwt.NewBuilder().Issuer(iss).Audience([]string{"api"}).Subject(sub).
			Expiration(now.Add(time.Hour)).Build()
		if err != nil {
			t.Fatal(err)
		}
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.EdDSA(), keys[iss]))
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + string(signed)
	}
	gw := gateway.New()
	gw.Group("/v1").Use(
		auth.JWT(auth.JWTConfig{Issuers: issuers, Now: clock}),
		ratelimit.Throttle(ratelimit.PerMinute(2), ratelimit.ByPrincipal(), ratelimit.Clock(clock)),
	).GET("/me").Mock(http.StatusOK, `{}`)
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	c := gatewaytest.NewClient(t, gw)
	staff, partner := token("https://staff.example.com/", "alice"), token("https://partner.example.net/", "alice")
	c.Get("/v1/me", "Authorization", partner).ExpectStatus(http.StatusOK)
	c.Get("/v1/me", "Authorization", partner).ExpectStatus(http.StatusOK)
	c.Get("/v1/me", "Authorization", partner).ExpectStatus(http.StatusTooManyRequests)
	c.Get("/v1/me", "Authorization", staff).ExpectStatus(http.StatusOK)
}
