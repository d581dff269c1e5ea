package auth

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
)

// TestJWTClaimHeadersStripVariants checks that a client cannot smuggle a
// claim header past the block under another spelling that upstreams read
// as the same header, whether or not the token carries the claim.
func TestJWTClaimHeadersStripVariants(t *testing.T) {
	clock := newTestClock()
	k := rsaTestKey(t, 0, "k1")
	a := newTestJWT(t, JWTConfig{
		Issuers:      []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		ClaimHeaders: []ClaimHeader{{Claim: "sub", Header: "X-User-Id"}, {Claim: "tenant", Header: "X-Tenant"}},
		Now:          clock.Now,
	})
	tests := []struct {
		name, header string
	}{
		{"underscores", "X_User_Id"},
		{"underscores lower case", "x_user_id"},
		{"mixed separators", "X-User_Id"},
		{"non-canonical key", "x-user-id"},
		{"absent claim, underscores", "X_Tenant"},
		{"absent claim, non-canonical key", "x-TENANT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := bearer(k.sign(t, claimsAt(clock.Now(), testIss, testAud))) // no tenant claim
			r.Header[tt.header] = []string{"forged"}
			r.Header["X-Other"] = []string{"kept"}
			var hdr http.Header
			a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hdr = r.Header.Clone()
			})).ServeHTTP(httptest.NewRecorder(), r)
			if hdr == nil {
				t.Fatal("request rejected")
			}
			for name, vals := range hdr {
				for _, v := range vals {
					if v == "forged" {
						t.Fatalf("client-sent %s: %q forwarded", name, v)
					}
				}
			}
			if hdr.Get("X-User-Id") != "user-1" || hdr.Get("X-Other") != "kept" {
				t.Fatalf("headers %v", hdr)
			}
		})
	}
}

// TestJWTClaimHeadersSurviveConnection checks that a client naming a claim
// header in Connection cannot make the reverse proxy after the block drop
// it as a hop-by-hop header, while the other names it lists still go.
func TestJWTClaimHeadersSurviveConnection(t *testing.T) {
	clock := newTestClock()
	k := rsaTestKey(t, 0, "k1")
	a := newTestJWT(t, JWTConfig{
		Issuers:      []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
		ClaimHeaders: []ClaimHeader{{Claim: "sub", Header: "X-User-Id"}},
		Now:          clock.Now,
	})
	got := make(chan http.Header, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
	}))
	defer backend.Close()
	target, _ := url.Parse(backend.URL)
	front := httptest.NewServer(a.Handler(httputil.NewSingleHostReverseProxy(target)))
	defer front.Close()

	tok := k.sign(t, claimsAt(clock.Now(), testIss, testAud))
	for _, conn := range []string{"X-User-Id", "keep-alive, x_user_id, X-Hop", "X-Hop,X-USER-ID"} {
		req, _ := http.NewRequest(http.MethodGet, front.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Connection", conn)
		req.Header.Set("X-Hop", "hop")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		h := <-got
		if h.Get("X-User-Id") != "user-1" {
			t.Fatalf("Connection: %s: the upstream got X-User-Id %q", conn, h.Get("X-User-Id"))
		}
		if strings.Contains(conn, "X-Hop") && h.Get("X-Hop") != "" {
			t.Fatalf("Connection: %s: X-Hop forwarded", conn)
		}
	}
}
