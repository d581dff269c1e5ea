package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// testKey is a private signing key with its JWK (kid and alg set).
type testKey struct {
	alg  string
	priv jwk.Key
	pub  jwk.Key
}

var (
	rsaOnce   sync.Once
	rsaShared [3]*rsa.PrivateKey
)

// rsaKey returns one of a few RSA keys generated once per test binary.
func rsaKey(i int) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		for j := range rsaShared {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			rsaShared[j] = k
		}
	})
	return rsaShared[i]
}

func newTestKey(t testing.TB, raw any, alg, kid string) testKey {
	t.Helper()
	priv, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	if kid != "" {
		_ = priv.Set(jwk.KeyIDKey, kid)
	}
	pub, err := jwk.PublicKeyOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{alg: alg, priv: priv, pub: pub}
}

func rsaTestKey(t testing.TB, i int, kid string) testKey {
	return newTestKey(t, rsaKey(i), "RS256", kid)
}

func ecTestKey(t testing.TB, kid string) testKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newTestKey(t, k, "ES256", kid)
}

func edTestKey(t testing.TB, kid string) testKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return newTestKey(t, k, "EdDSA", kid)
}

// header returns the usual protected header for k.
func (k testKey) header() map[string]any {
	h := map[string]any{"alg": k.alg, "typ": "JWT"}
	if kid, _ := k.priv.KeyID(); kid != "" {
		h["kid"] = kid
	}
	return h
}

// sign signs claims with k and its usual header.
func (k testKey) sign(t testing.TB, claims map[string]any) string {
	return signRaw(t, k.alg, k.priv, k.header(), claims)
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signRaw builds a compact JWS from any header and claims, signed with key
// under alg, so tests can produce the hostile tokens a library would not.
func signRaw(t testing.TB, alg string, key any, header, claims map[string]any) string {
	t.Helper()
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return signBytes(t, alg, key, hb, pb)
}

func signBytes(t testing.TB, alg string, key any, hb, pb []byte) string {
	t.Helper()
	input := b64url(hb) + "." + b64url(pb)
	sa, ok := jwa.LookupSignatureAlgorithm(alg)
	if !ok {
		t.Fatalf("unknown algorithm %q", alg)
	}
	signer, err := jws.SignerFor(sa)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signer.Sign(key, []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64url(sig)
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// claimsAt returns valid claims for issuer and audience at time now.
func claimsAt(now time.Time, iss, aud string) map[string]any {
	return map[string]any{
		"iss": iss, "aud": aud, "sub": "user-1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"scope": "read write",
	}
}

// jwksServer is a real JWKS endpoint whose content, status and latency
// tests change, counting the requests it serves.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	body   []byte
	status int
	block  chan struct{} // when set, requests wait for it to close
	hits   atomic.Int64
	issuer string // discovery issuer; "" means the server URL
}

func newJWKSServer(t testing.TB, keys ...testKey) *jwksServer {
	s := &jwksServer{status: http.StatusOK}
	s.setKeys(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, status, block, iss := s.body, s.status, s.block, s.issuer
	s.mu.Unlock()
	if r.URL.Path == "/.well-known/openid-configuration" {
		if iss == "" {
			iss = s.URL
		}
		doc, _ := json.Marshal(map[string]string{"issuer": iss, "jwks_uri": s.URL + "/jwks.json"})
		_, _ = w.Write(doc)
		return
	}
	s.hits.Add(1)
	if block != nil {
		select {
		case <-block:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *jwksServer) setKeys(t testing.TB, keys ...testKey) {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k.pub); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	s.setBody(http.StatusOK, b)
}

// addRawKey adds a key given as its JSON members to the served set.
func (s *jwksServer) addRawKey(t testing.TB, key map[string]any) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var set struct {
		Keys []any `json:"keys"`
	}
	if err := json.Unmarshal(s.body, &set); err != nil {
		t.Fatal(err)
	}
	set.Keys = append(set.Keys, key)
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	s.body = b
}

func (s *jwksServer) setBody(status int, b []byte) {
	s.mu.Lock()
	s.status, s.body = status, b
	s.mu.Unlock()
}

func (s *jwksServer) url() string { return s.URL + "/jwks.json" }

// newTestJWT builds a JWTAuth and closes it when the test ends.
func newTestJWT(t testing.TB, cfg JWTConfig) *JWTAuth {
	t.Helper()
	a, err := NewJWT(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// okHandler answers 200 with the principal's ID.
var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if p := PrincipalFrom(r.Context()); p != nil {
		w.Header().Set("X-Principal", p.ID)
	}
	w.WriteHeader(http.StatusOK)
})

func bearer(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}
