package auth

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func FuzzParseCompact(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add(`{"payload":"x"}`)
	f.Add("a.b.c.d.e")
	f.Add("eyJhbGciOiJSUzI1NiIsImprdSI6Imh0dHBzOi8vZXZpbC8ifQ.e30.c2ln")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := parseCompact(tok, 4096)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("error %v does not wrap ErrInvalidToken", err)
			}
			return
		}
		if len(tok) > 4096 || strings.Count(tok, ".") != 2 || c.alg == "" || strings.EqualFold(c.alg, "none") {
			t.Fatalf("accepted %q as %+v", tok, c)
		}
		if strings.HasSuffix(tok, ".") || c.payload == "" {
			t.Fatalf("accepted an unsigned or empty token %q", tok)
		}
	})
}

func FuzzExtractToken(f *testing.F) {
	f.Add("Bearer abc", "", "")
	f.Add("Bearer abc", "abc", "")
	f.Add("bearer    a.b.c", "", "a.b.c")
	f.Add("Basic x", "", "")
	f.Add("Bearer", ",", " ")
	sources := []TokenSource{TokenFromHeader("Authorization", "Bearer"), TokenFromHeader("X-Token", ""), TokenFromCookie("s")}
	f.Fuzz(func(t *testing.T, authz, xtoken, cookie string) {
		r, _ := http.NewRequest(http.MethodGet, "http://example.com/", nil)
		r.Header["Authorization"] = []string{authz}
		if xtoken != "" {
			r.Header["X-Token"] = []string{xtoken}
		}
		if cookie != "" {
			r.Header["Cookie"] = []string{"s=" + cookie}
		}
		tok, err := extractToken(r, sources)
		if err != nil {
			if !errors.Is(err, ErrInvalidRequest) || tok != "" {
				t.Fatalf("error %v with token %q", err, tok)
			}
			return
		}
		if strings.ContainsAny(tok, " \t,") {
			t.Fatalf("token %q holds separators", tok)
		}
		if tok != "" && !strings.Contains(authz, tok) && !strings.Contains(xtoken, tok) && !strings.Contains(cookie, tok) {
			t.Fatalf("token %q comes from nowhere", tok)
		}
	})
}

// FuzzJWTAuthenticate feeds arbitrary tokens to a JWTAuth: it must never
// panic, and must accept no token but the ones signed with its key.
func FuzzJWTAuthenticate(f *testing.F) {
	clock := newTestClock()
	seed := bytes.Repeat([]byte{7}, ed25519.SeedSize)
	key := newTestKey(f, ed25519.NewKeyFromSeed(seed), "EdDSA", "k1")
	a, err := NewJWT(JWTConfig{
		Issuers:   []Issuer{{Issuer: testIss, Keys: []any{key.pub}, Audiences: []string{testAud}}},
		CacheSize: -1,
		Now:       clock.Now,
	})
	if err != nil {
		f.Fatal(err)
	}
	valid := map[string]bool{}
	for _, aud := range []string{testAud, "other"} {
		tok := key.sign(f, claimsAt(clock.Now(), testIss, aud))
		valid[tok] = aud == testAud
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(parts[0] + "." + parts[1] + "." + parts[2] + "A")
	}
	f.Fuzz(func(t *testing.T, tok string) {
		p, err := a.Authenticate(t.Context(), tok)
		if err == nil && (!valid[tok] || p == nil) {
			t.Fatalf("accepted %q", tok)
		}
		if err != nil && valid[tok] {
			t.Fatalf("rejected a valid token: %v", err)
		}
	})
}
