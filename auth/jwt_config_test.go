package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"
)

func TestJWTConfigErrors(t *testing.T) {
	k := edTestKey(t, "")
	ok := Issuer{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}
	tests := []struct {
		name string
		cfg  JWTConfig
	}{
		{"no issuer", JWTConfig{}},
		{"no key source", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Audiences: []string{"a"}}}}},
		{"two key sources", JWTConfig{Issuers: []Issuer{{Issuer: testIss, JWKSURL: "https://x.example/jwks", Keys: []any{k.pub}, Audiences: []string{"a"}}}}},
		{"no audience", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Keys: []any{k.pub}}}}},
		{"no issuer name", JWTConfig{Issuers: []Issuer{{Keys: []any{k.pub}, Audiences: []string{"a"}}}}},
		{"duplicate issuer", JWTConfig{Issuers: []Issuer{ok, ok}}},
		{"http JWKS URL", JWTConfig{Issuers: []Issuer{{Issuer: testIss, JWKSURL: "http://id.example.com/jwks", Audiences: []string{"a"}}}}},
		{"relative JWKS URL", JWTConfig{Issuers: []Issuer{{Issuer: testIss, JWKSURL: "/jwks", Audiences: []string{"a"}}}}},
		{"discovery on a non-URL issuer", JWTConfig{Issuers: []Issuer{{Issuer: "acme", Discovery: true, Audiences: []string{"a"}}}}},
		{"unknown algorithm", JWTConfig{Issuers: []Issuer{ok}, Algorithms: []string{"none"}}},
		{"secret without HMAC", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Keys: []any{[]byte("0123456789abcdef0123456789abcdef")}, Audiences: []string{"a"}}}}},
		{"HMAC secret under 256 bits", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Keys: []any{[]byte("short-secret")}, Audiences: []string{"a"}}}, Algorithms: []string{"HS256"}}},
		{"HMAC secret too short for every allowed HMAC", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Keys: []any{[]byte("0123456789abcdef0123456789abcdef")}, Audiences: []string{"a"}}}, Algorithms: []string{"HS512"}}},
		{"unsupported key", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Keys: []any{"secret"}, Audiences: []string{"a"}}}}},
		{"weak RSA key only", JWTConfig{Issuers: []Issuer{{Issuer: testIss, Keys: []any{weakRSA(t)}, Audiences: []string{"a"}}}}},
		{"bad claim header", JWTConfig{Issuers: []Issuer{ok}, ClaimHeaders: []ClaimHeader{{Claim: "sub", Header: "X User"}}}},
		{"bad source", JWTConfig{Issuers: []Issuer{ok}, Sources: []TokenSource{{}}}},
		{"huge leeway", JWTConfig{Issuers: []Issuer{ok}, Leeway: time.Hour}},
		{"short refresh", JWTConfig{Issuers: []Issuer{ok}, RefreshInterval: time.Millisecond}},
		{"negative size", JWTConfig{Issuers: []Issuer{ok}, MaxTokenSize: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if a, err := NewJWT(tt.cfg); err == nil {
				_ = a.Close()
				t.Fatal("no error")
			}
			v, isV := JWT(tt.cfg)(okHandler).(interface{ Validate() error })
			if !isV || v.Validate() == nil {
				t.Fatal("JWT() handler reports no error")
			}
		})
	}
	if _, isV := JWT(JWTConfig{Issuers: []Issuer{ok}})(okHandler).(interface{ Validate() error }); isV {
		t.Fatal("valid static configuration reported as invalid")
	}
	remote := JWTConfig{Issuers: []Issuer{{Issuer: testIss, JWKSURL: "https://id.example.com/jwks", Audiences: []string{"a"}}}}
	if v, isV := JWT(remote)(okHandler).(interface{ Validate() error }); !isV || v.Validate() == nil {
		t.Fatal("JWT() accepted an issuer that fetches keys")
	}
}

func weakRSA(t *testing.T) *rsa.PublicKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return &k.PublicKey
}
