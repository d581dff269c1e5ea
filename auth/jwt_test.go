package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestJWTHandler(t *testing.T) {
	clock := newTestClock()
	keys := []testKey{rsaTestKey(t, 0, "rsa"), ecTestKey(t, "ec"), edTestKey(t, "ed")}
	srv := newJWKSServer(t, keys...)
	a := newTestJWT(t, JWTConfig{
		Issuers:      []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		ClaimHeaders: []ClaimHeader{{Claim: "sub", Header: "x-user-id"}, {Claim: "groups", Header: "X-Groups"}, {Claim: "evil", Header: "X-Evil"}},
		Realm:        "api",
		Now:          clock.Now,
	})
	for _, k := range keys {
		t.Run(k.alg, func(t *testing.T) {
			c := claimsAt(clock.Now(), testIss, testAud)
			c["groups"] = []string{"a", "b"}
			c["evil"] = "x\r\nSet-Cookie: y"
			r := bearer(k.sign(t, c))
			r.Header.Set("X-User-Id", "forged")
			r.Header.Set("X-Evil", "forged")
			var got *Principal
			var hdr http.Header
			h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, hdr = PrincipalFrom(r.Context()), r.Header.Clone()
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got == nil || got.ID != "user-1" || got.Issuer != testIss || got.Method != MethodJWT {
				t.Fatalf("principal %+v", got)
			}
			if strings.Join(got.Scopes, ",") != "read,write" {
				t.Fatalf("scopes %v", got.Scopes)
			}
			if hdr.Get("X-User-Id") != "user-1" || hdr.Get("X-Groups") != "a,b" || len(hdr.Values("X-User-Id")) != 1 {
				t.Fatalf("headers %v", hdr)
			}
			if _, ok := hdr["X-Evil"]; ok {
				t.Fatalf("client copy or unsafe claim forwarded: %q", hdr.Values("X-Evil"))
			}
			sub, _ := Claims(got.Claims).String("sub")
			if sub != "user-1" {
				t.Fatalf("claims %v", got.Claims)
			}
		})
	}
	t.Run("missing token", func(t *testing.T) {
		info := &reqctx.Info{}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r = r.WithContext(reqctx.With(r.Context(), info))
		rec := httptest.NewRecorder()
		a.Handler(okHandler).ServeHTTP(rec, r)
		if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Bearer realm="api"` || info.ErrorType != "UNAUTHORIZED" {
			t.Fatalf("%d %q %q", rec.Code, rec.Header().Get("WWW-Authenticate"), info.ErrorType)
		}
	})
	t.Run("expired", func(t *testing.T) {
		c := claimsAt(clock.Now(), testIss, testAud)
		c["exp"] = clock.Now().Add(-time.Hour).Unix()
		rec := httptest.NewRecorder()
		a.Handler(okHandler).ServeHTTP(rec, bearer(keys[0].sign(t, c)))
		want := `Bearer realm="api", error="invalid_token", error_description="The access token expired"`
		if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != want {
			t.Fatalf("%d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	})
}

func TestJWTSources(t *testing.T) {
	clock := newTestClock()
	k := edTestKey(t, "")
	tok := k.sign(t, claimsAt(clock.Now(), testIss, testAud))
	a := newTestJWT(t, JWTConfig{
		Issuers: []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		Sources: []TokenSource{TokenFromHeader("Authorization", "Bearer"), TokenFromCookie("session"), TokenFromHeader("X-Token", "")},
		Now:     clock.Now,
	})
	tests := []struct {
		name   string
		header map[string][]string
		cookie string
		status int
	}{
		{"bearer", map[string][]string{"Authorization": {"Bearer " + tok}}, "", 200},
		{"scheme case and spaces", map[string][]string{"Authorization": {"bEaReR   " + tok}}, "", 200},
		{"cookie", nil, tok, 200},
		{"other header", map[string][]string{"X-Token": {tok}}, "", 200},
		{"none", nil, "", 401},
		{"basic scheme is no token", map[string][]string{"Authorization": {"Basic dXNlcjpwdw=="}}, "", 401},
		{"scheme prefix only", map[string][]string{"Authorization": {"Bearerx " + tok}}, "", 401},
		{"empty bearer", map[string][]string{"Authorization": {"Bearer "}}, "", 400},
		{"two bearer headers", map[string][]string{"Authorization": {"Bearer " + tok, "Bearer " + tok}}, "", 400},
		{"header and cookie", map[string][]string{"Authorization": {"Bearer " + tok}}, tok, 400},
		{"header and other header", map[string][]string{"Authorization": {"Bearer " + tok}, "X-Token": {tok}}, "", 400},
		{"two tokens in one value", map[string][]string{"Authorization": {"Bearer " + tok + " " + tok}}, "", 400},
		{"comma list", map[string][]string{"X-Token": {tok + "," + tok}}, "", 400},
		{"garbage", map[string][]string{"Authorization": {"Bearer x.y.z"}}, "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for k, v := range tt.header {
				r.Header[k] = v
			}
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "session", Value: tt.cookie})
			}
			rec := httptest.NewRecorder()
			a.Handler(okHandler).ServeHTTP(rec, r)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 400 && !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_request"`) {
				t.Fatalf("WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestJWTCache(t *testing.T) {
	clock := newTestClock()
	k := rsaTestKey(t, 0, "k1")
	srv := newJWKSServer(t, k)
	a := newTestJWT(t, JWTConfig{
		Issuers:   []Issuer{{Issuer: testIss, JWKSURL: srv.url(), Audiences: []string{testAud}}},
		CacheSize: 3,
		CacheTTL:  time.Minute,
		Now:       clock.Now,
	})
	c := claimsAt(clock.Now(), testIss, testAud)
	c["exp"] = clock.Now().Add(90 * time.Second).Unix()
	tok := k.sign(t, c)
	p1, err := a.Authenticate(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := a.Authenticate(context.Background(), tok)
	if err != nil || p2 != p1 {
		t.Fatalf("second call not served from the cache: %v", err)
	}
	clock.Add(61 * time.Second) // past the TTL: verified again
	if p3, err := a.Authenticate(context.Background(), tok); err != nil || p3 == p1 {
		t.Fatalf("entry outlived its TTL: %v", err)
	}
	clock.Add(2 * time.Minute) // past exp (and the leeway)
	if _, err := a.Authenticate(context.Background(), tok); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("expired token accepted from the cache: %v", err)
	}
	for i := range 10 {
		c := claimsAt(clock.Now(), testIss, testAud)
		c["jti"] = strconv.Itoa(i)
		if _, err := a.Authenticate(context.Background(), k.sign(t, c)); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.cache.len(); n > 3 {
		t.Fatalf("cache holds %d entries, bound is 3", n)
	}
}

func TestJWTCachedAllocs(t *testing.T) {
	clock := newTestClock()
	k := rsaTestKey(t, 0, "k1")
	a := newTestJWT(t, JWTConfig{
		Issuers:      []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		ClaimHeaders: []ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
		Now:          clock.Now,
	})
	r := bearer(k.sign(t, claimsAt(clock.Now(), testIss, testAud)))
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	allocs := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) })
	// The context value and the request copy.
	if allocs > 3 {
		t.Fatalf("cached path allocates %.0f times", allocs)
	}
}
