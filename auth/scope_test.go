package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestRequireScopes(t *testing.T) {
	tests := []struct {
		name      string
		principal *Principal
		required  []string
		status    int
		challenge string
		errType   string
	}{
		{"all present", &Principal{Scopes: []string{"read", "write"}}, []string{"write", "read"}, 200, "", ""},
		{"one missing", &Principal{Scopes: []string{"read"}}, []string{"read", "orders:write"}, 403, `Bearer error="insufficient_scope", scope="read orders:write"`, "ACCESS_DENIED"},
		{"no scopes", &Principal{}, []string{"read"}, 403, `Bearer error="insufficient_scope", scope="read"`, "ACCESS_DENIED"},
		{"prefix is not a match", &Principal{Scopes: []string{"orders"}}, []string{"orders:write"}, 403, `Bearer error="insufficient_scope", scope="orders:write"`, "ACCESS_DENIED"},
		{"no principal", nil, []string{"read"}, 401, "Bearer", "UNAUTHORIZED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := &reqctx.Info{}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			ctx := reqctx.With(r.Context(), info)
			if tt.principal != nil {
				ctx = WithPrincipal(ctx, tt.principal)
			}
			rec := httptest.NewRecorder()
			RequireScopes(tt.required...)(okHandler).ServeHTTP(rec, r.WithContext(ctx))
			if rec.Code != tt.status || rec.Header().Get("WWW-Authenticate") != tt.challenge || info.ErrorType != tt.errType {
				t.Fatalf("status %d, challenge %q, type %q", rec.Code, rec.Header().Get("WWW-Authenticate"), info.ErrorType)
			}
		})
	}
}

func TestRequireScopesMisconfigured(t *testing.T) {
	for _, scopes := range [][]string{nil, {""}, {"a b"}, {`a"`}} {
		h := RequireScopes(scopes...)(okHandler)
		v, ok := h.(interface{ Validate() error })
		if !ok || v.Validate() == nil {
			t.Fatalf("RequireScopes(%q) reports no error", scopes)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != 500 {
			t.Fatalf("status %d", rec.Code)
		}
	}
}

func TestScopesFromClaims(t *testing.T) {
	clock := newTestClock()
	k := edTestKey(t, "")
	tests := []struct {
		name   string
		claims []string
		set    map[string]any
		want   []string
	}{
		{"scope string", nil, map[string]any{"scope": " a  b "}, []string{"a", "b"}},
		{"scp array", nil, map[string]any{"scp": []string{"a", "b"}}, []string{"a", "b"}},
		{"both", nil, map[string]any{"scope": "a", "scp": []string{"b"}}, []string{"a", "b"}},
		{"custom claim", []string{"permissions"}, map[string]any{"scope": "a", "permissions": []any{"x", 1, "y"}}, []string{"x", "y"}},
		{"wrong type", nil, map[string]any{"scope": 7}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestJWT(t, JWTConfig{
				Issuers:     []Issuer{{Issuer: testIss, Keys: []any{k.pub}, Audiences: []string{testAud}}},
				ScopeClaims: tt.claims,
				Now:         clock.Now,
			})
			c := claimsAt(clock.Now(), testIss, testAud)
			delete(c, "scope")
			for name, v := range tt.set {
				c[name] = v
			}
			p, err := a.Authenticate(t.Context(), k.sign(t, c))
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Scopes) != len(tt.want) {
				t.Fatalf("scopes %q, want %q", p.Scopes, tt.want)
			}
			for i := range tt.want {
				if p.Scopes[i] != tt.want[i] {
					t.Fatalf("scopes %q, want %q", p.Scopes, tt.want)
				}
			}
		})
	}
}
