package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/lestrrat-go/jwx/v3/jwk"
)

const (
	testIss = "https://id.example.com/"
	testAud = "api"
)

// TestJWTRejections checks every RFC 8725 rule: each hostile token is
// rejected for the intended reason, and a few legitimate variants pass.
func TestJWTRejections(t *testing.T) {
	clock := newTestClock()
	now := clock.Now()
	rk := rsaTestKey(t, 0, "rsa-1")
	ek := ecTestKey(t, "ec-1")
	other := rsaTestKey(t, 1, "rsa-1") // same kid, different key
	weakRaw, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	encKey := rsaTestKey(t, 2, "enc-1")
	_ = encKey.pub.Set(jwk.KeyUsageKey, "enc")
	rs384 := newTestKey(t, rsaKey(2), "RS256", "rs384-only")
	_ = rs384.pub.Set(jwk.AlgorithmKey, "RS384")
	srv := newJWKSServer(t, rk, ek, encKey, rs384)
	// jwx refuses to build a JWK of a weak RSA key, so the set publishes
	// this one as JSON.
	srv.addRawKey(t, map[string]any{
		"kty": "RSA", "kid": "weak",
		"n": b64url(weakRaw.N.Bytes()), "e": b64url(big.NewInt(int64(weakRaw.E)).Bytes()),
	})
	weakTok := func(claims map[string]any) string {
		return signRaw(t, "RS256", weakRaw, map[string]any{"alg": "RS256", "typ": "JWT", "kid": "weak"}, claims)
	}
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		Now:     clock.Now,
	})
	valid := claimsAt(now, testIss, testAud)
	with := func(k string, v any) map[string]any {
		c := make(map[string]any, len(valid))
		for kk, vv := range valid {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	hdr := func(k testKey, extra ...any) map[string]any {
		h := k.header()
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == nil {
				delete(h, extra[i].(string))
			} else {
				h[extra[i].(string)] = extra[i+1]
			}
		}
		return h
	}
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey(0).PublicKey)
	goodTok := rk.sign(t, valid)
	parts := strings.Split(goodTok, ".")
	tampered := parts[0] + "." + b64url([]byte(`{"iss":"`+testIss+`","aud":"api","sub":"admin","exp":9999999999}`)) + "." + parts[2]
	attacker := rsaTestKey(t, 1, "")
	attackerJWK, _ := jwk.PublicKeyOf(attacker.priv)

	tests := []struct {
		name string
		tok  string
		want error // nil: accepted
	}{
		{"valid RS256", goodTok, nil},
		{"valid ES256", ek.sign(t, valid), nil},
		{"valid PS256 with an RSA key", signRaw(t, "PS256", rk.priv, hdr(rk, "alg", "PS256"), valid), nil},
		{"expired within leeway", rk.sign(t, with("exp", now.Add(-10*time.Second).Unix())), nil},
		{"aud as array", rk.sign(t, with("aud", []string{"other", testAud})), nil},

		{"alg none", b64url([]byte(`{"alg":"none","kid":"rsa-1"}`)) + "." + parts[1] + ".", errUnsigned},
		{"alg None with signature", b64url([]byte(`{"alg":"None","kid":"rsa-1"}`)) + "." + parts[1] + "." + parts[2], errUnsigned},
		{"empty signature", parts[0] + "." + parts[1] + ".", errUnsigned},
		{"HS256 keyed with the public key", signRaw(t, "HS256", pubDER, hdr(rk, "alg", "HS256"), valid), errAlgNotAllowed},
		{"alg not in allow-list", signRaw(t, "RS256", rk.priv, hdr(rk, "alg", "RS1"), valid), errAlgNotAllowed},
		{"ES256 header on an RSA key", signRaw(t, "ES256", ek.priv, hdr(ek, "kid", "rsa-1"), valid), errAlgKeyMismatch},
		{"RS256 token for an RS384-only key", signRaw(t, "RS256", rs384.priv, rs384.header(), valid), errAlgKeyMismatch},
		{"missing kid", signRaw(t, "RS256", rk.priv, hdr(rk, "kid", nil), valid), errMissingKID},
		{"unknown kid", signRaw(t, "RS256", rk.priv, hdr(rk, "kid", "nope"), valid), errUnknownKID},
		{"kid of a weak RSA key", weakTok(valid), errUnknownKID},
		{"kid of an encryption key", encKey.sign(t, valid), errUnknownKID},
		{"kid not a string", signRaw(t, "RS256", rk.priv, hdr(rk, "kid", 7), valid), errBadHeader},
		{"jku header", signRaw(t, "RS256", rk.priv, hdr(rk, "jku", "https://evil.example/jwks"), valid), errForbiddenHeader},
		{"x5u header", signRaw(t, "RS256", rk.priv, hdr(rk, "x5u", "https://evil.example/cert"), valid), errForbiddenHeader},
		{"embedded jwk", signRaw(t, "RS256", attacker.priv, hdr(rk, "kid", nil, "jwk", attackerJWK), valid), errForbiddenHeader},
		{"x5c header", signRaw(t, "RS256", rk.priv, hdr(rk, "x5c", []string{"MIIB"}), valid), errForbiddenHeader},
		{"crit header", signRaw(t, "RS256", rk.priv, hdr(rk, "crit", []string{"exp"}), valid), errForbiddenHeader},
		{"unencoded payload", signRaw(t, "RS256", rk.priv, hdr(rk, "b64", false), valid), errForbiddenHeader},
		{"nested token", signRaw(t, "RS256", rk.priv, hdr(rk, "cty", "JWT"), valid), errForbiddenHeader},
		{"JWE compact", "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d", errEncrypted},
		{"enc header", signRaw(t, "RS256", rk.priv, hdr(rk, "enc", "A256GCM"), valid), errEncrypted},
		{"JSON serialisation", `{"payload":"` + parts[1] + `","signatures":[{"protected":"` + parts[0] + `","signature":"` + parts[2] + `"}]}`, errJSONSerialized},
		{"too large", rk.sign(t, with("pad", strings.Repeat("x", 9000))), errTokenTooLarge},
		{"two parts", parts[0] + "." + parts[1], errNotCompact},
		{"four parts", goodTok + ".x", errNotCompact},
		{"padding", goodTok + "=", errNotCompact},
		{"space inside", parts[0] + ". " + parts[1] + "." + parts[2], errNotCompact},
		{"header not base64", "!!!." + parts[1] + "." + parts[2], errNotCompact},
		{"header not JSON", b64url([]byte("alg")) + "." + parts[1] + "." + parts[2], errBadHeader},
		{"header JSON array", b64url([]byte(`["alg"]`)) + "." + parts[1] + "." + parts[2], errBadHeader},
		{"alg not a string", b64url([]byte(`{"alg":1,"kid":"rsa-1"}`)) + "." + parts[1] + "." + parts[2], errBadHeader},
		{"payload array", signBytes(t, "RS256", rk.priv, []byte(`{"alg":"RS256","kid":"rsa-1"}`), []byte(`[1]`)), errBadPayload},
		{"payload nested token", signBytes(t, "RS256", rk.priv, []byte(`{"alg":"RS256","kid":"rsa-1"}`), []byte(goodTok)), errBadPayload},
		{"tampered payload", tampered, errBadSignature},
		{"signed by another key with the same kid", other.sign(t, valid), errBadSignature},
		{"exp missing", rk.sign(t, with("exp", nil)), errMissingExp},
		{"exp as string", rk.sign(t, with("exp", "tomorrow")), errInvalidClaims},
		{"expired", rk.sign(t, with("exp", now.Add(-time.Minute).Unix())), errExpired},
		{"nbf in the future", rk.sign(t, with("nbf", now.Add(time.Minute).Unix())), errNotYetValid},
		{"iat in the future", rk.sign(t, with("iat", now.Add(time.Minute).Unix())), errIssuedInFuture},
		{"wrong issuer", rk.sign(t, with("iss", "https://evil.example/")), errWrongIssuer},
		{"no issuer", rk.sign(t, with("iss", nil)), errWrongIssuer},
		{"wrong audience", rk.sign(t, with("aud", "other")), errWrongAudience},
		{"no audience", rk.sign(t, with("aud", nil)), errWrongAudience},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Authenticate(context.Background(), tt.tok)
			if tt.want == nil {
				if err != nil || p == nil || p.ID != "user-1" || p.Method != MethodJWT {
					t.Fatalf("rejected: %v (%+v)", err, p)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// Through the handler: 401 invalid_token, never the next handler.
			info := &reqctx.Info{}
			r := bearer(tt.tok)
			r = r.WithContext(reqctx.With(r.Context(), info))
			rec := httptest.NewRecorder()
			a.Handler(okHandler).ServeHTTP(rec, r)
			wantType := "UNAUTHORIZED"
			if errors.Is(tt.want, ErrExpiredToken) {
				wantType = "EXPIRED_TOKEN"
			}
			wantStatus, wantCode := http.StatusUnauthorized, CodeInvalidToken
			if strings.ContainsAny(tt.tok, " ,") {
				// Not even a well-formed credential: rejected as a bad request.
				wantStatus, wantCode, wantType = http.StatusBadRequest, CodeInvalidRequest, "BAD_REQUEST_PARAMETERS"
			}
			if rec.Code != wantStatus || rec.Header().Get("X-Principal") != "" || info.ErrorType != wantType {
				t.Fatalf("status %d, type %q", rec.Code, info.ErrorType)
			}
			if ch := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(ch, `Bearer error="`+wantCode+`"`) {
				t.Fatalf("WWW-Authenticate %q", ch)
			}
			if strings.Contains(rec.Body.String(), tt.want.Error()) {
				t.Fatalf("body leaks the reason: %s", rec.Body)
			}
		})
	}
	// The hostile kids caused at most one refresh beyond the first fetch.
	if n := srv.hits.Load(); n > 2 {
		t.Errorf("%d key set fetches", n)
	}
}

// TestJWTAlgorithmConfusionHMAC allows HS256 for an issuer with a secret
// and checks an HS256 token keyed with another issuer's public key fails.
func TestJWTAlgorithmConfusionHMAC(t *testing.T) {
	clock := newTestClock()
	rk := rsaTestKey(t, 0, "")
	secret := []byte("0123456789abcdef0123456789abcdef")
	short := []byte("short-secret")
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey(0).PublicKey)
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{
			{Issuer: "rsa", Keys: []any{&rsaKey(0).PublicKey}, Audiences: []string{testAud}},
			{Issuer: "hmac", Keys: []any{secret}, Audiences: []string{testAud}},
		},
		Algorithms: []string{"RS256", "HS256", "HS512"},
		Now:        clock.Now,
	})
	hs := func(iss string, key []byte, alg string) string {
		return signRaw(t, alg, key, map[string]any{"alg": alg}, claimsAt(clock.Now(), iss, testAud))
	}
	tests := []struct {
		name string
		tok  string
		want error
	}{
		{"RS256", signRaw(t, "RS256", rk.priv, map[string]any{"alg": "RS256"}, claimsAt(clock.Now(), "rsa", testAud)), nil},
		{"HS256 with the secret", hs("hmac", secret, "HS256"), nil},
		{"HS256 keyed with the RSA public key", hs("rsa", pubDER, "HS256"), errAlgKeyMismatch},
		{"HS512 with a 256-bit secret", hs("hmac", secret, "HS512"), errAlgKeyMismatch},
		{"HS256 with another secret", hs("hmac", short, "HS256"), errBadSignature},
		{"unknown issuer", hs("nobody", secret, "HS256"), errUnknownIssuer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Authenticate(context.Background(), tt.tok)
			if !errors.Is(err, tt.want) && !(tt.want == nil && err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestJWTTypes(t *testing.T) {
	clock := newTestClock()
	k := edTestKey(t, "")
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		Types:   []string{"at+jwt"},
		Now:     clock.Now,
	})
	for _, tt := range []struct {
		typ  any
		want error
	}{
		{"at+jwt", nil},
		{"application/AT+JWT", nil},
		{"JWT", errBadType},
		{nil, errBadType},
		{7, errBadHeader},
	} {
		h := map[string]any{"alg": "EdDSA"}
		if tt.typ != nil {
			h["typ"] = tt.typ
		}
		_, err := a.Authenticate(context.Background(), signRaw(t, "EdDSA", k.priv, h, claimsAt(clock.Now(), testIss, testAud)))
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("typ %v: err %v, want %v", tt.typ, err, tt.want)
		}
	}
}
