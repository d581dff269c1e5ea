package auth

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestJWKSManyIssuersRefreshTogether has more issuers fetching keys than
// there are fetch workers, and makes every one of them refresh at once,
// as a burst of tokens naming unknown key ids for each issuer does: all
// fetches complete, and refreshes still work afterwards.
func TestJWKSManyIssuersRefreshTogether(t *testing.T) {
	const n = 4 * maxFetchWorkers
	clock := newTestClock()
	k1, k2 := rsaTestKey(t, 0, "k1"), rsaTestKey(t, 1, "k2")
	srv := newJWKSServer(t, k1)
	var ok atomic.Int64
	issuers := make([]Issuer, n)
	for i := range issuers {
		issuers[i] = Issuer{
			Issuer:    fmt.Sprintf("https://iss-%d.example/", i),
			JWKSURL:   fmt.Sprintf("%s/jwks.json?i=%d", srv.URL, i),
			Audiences: []string{testAud},
		}
	}
	a := newTestJWT(t, JWTConfig{
		Issuers: issuers,
		OnKeysRefresh: func(_ string, err error) {
			if err == nil {
				ok.Add(1)
			}
		},
		Now: clock.Now,
	})
	waitFor := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for ok.Load() < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d successful fetches, want %d", ok.Load(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor(n)

	// Every issuer is asked for an unknown key id at once, several times.
	clock.Add(time.Minute)
	var wg sync.WaitGroup
	for i := range n {
		for j := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok := signRaw(t, "RS256", k1.priv, map[string]any{"alg": "RS256", "kid": fmt.Sprint("x", j)},
					claimsAt(clock.Now(), issuers[i].Issuer, testAud))
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				_, _ = a.Authenticate(ctx, tok)
			}()
		}
	}
	wg.Wait()
	waitFor(2 * n)

	// A key published afterwards is still picked up.
	srv.setKeys(t, k1, k2)
	clock.Add(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := a.Authenticate(ctx, k2.sign(t, claimsAt(clock.Now(), issuers[0].Issuer, testAud))); err != nil {
		t.Fatalf("new key not picked up: %v", err)
	}
}
