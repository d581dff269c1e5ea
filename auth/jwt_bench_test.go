package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchJWT returns a handler validating tokens of k, a request carrying a
// valid token, and a response recorder.
func benchJWT(b *testing.B, k testKey, cacheSize int) (http.Handler, *http.Request, *httptest.ResponseRecorder) {
	clock := newTestClock()
	a := newTestJWT(b, JWTConfig{
		Issuers:      []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		ClaimHeaders: []ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
		CacheSize:    cacheSize,
		Now:          clock.Now,
	})
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	r := bearer(k.sign(b, claimsAt(clock.Now(), testIss, testAud)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d", w.Code)
	}
	return h, r, w
}

// BenchmarkJWTVerifyRS256 measures a full validation of an RS256 token:
// parsing, signature and claims (the cache is off).
func BenchmarkJWTVerifyRS256(b *testing.B) {
	h, r, w := benchJWT(b, rsaTestKey(b, 0, "k1"), -1)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// BenchmarkJWTVerify measures full validation for each key type.
func BenchmarkJWTVerify(b *testing.B) {
	for _, k := range []testKey{rsaTestKey(b, 0, "k1"), ecTestKey(b, "k1"), edTestKey(b, "k1")} {
		b.Run(k.alg, func(b *testing.B) {
			h, r, w := benchJWT(b, k, -1)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

// BenchmarkJWTCached measures a repeated RS256 token, served from the
// verified-token cache.
func BenchmarkJWTCached(b *testing.B) {
	h, r, w := benchJWT(b, rsaTestKey(b, 0, "k1"), 0)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// BenchmarkJWTCachedParallel is BenchmarkJWTCached from every CPU at once.
func BenchmarkJWTCachedParallel(b *testing.B) {
	h, r, _ := benchJWT(b, rsaTestKey(b, 0, "k1"), 0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w, r := httptest.NewRecorder(), r.Clone(r.Context())
		for pb.Next() {
			h.ServeHTTP(w, r)
		}
	})
}
