package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// clock is a settable test clock.
type clock struct{ t atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.t.Store(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time          { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.t.Add(int64(d)) }

// failingStore is a KeyStore whose every call fails, as an unreachable
// database would.
type failingStore struct{ MemoryKeyStore }

var errDown = errors.New("connection refused to 10.0.0.5:6379")

func (*failingStore) Lookup(context.Context, KeyHash) (*APIKey, error) { return nil, errDown }

// apiKeyFixture is a memory store with keys in every state.
type apiKeyFixture struct {
	store                      *MemoryKeyStore
	mgr                        *KeyManager
	clk                        *clock
	good, disabled, expired    string
	rotatedOld, rotatedNew, id string
}

func newAPIKeyFixture(t testing.TB) *apiKeyFixture {
	t.Helper()
	f := &apiKeyFixture{store: NewMemoryKeyStore(), clk: newClock()}
	f.mgr = &KeyManager{Store: f.store, Now: f.clk.Now}
	ctx := context.Background()
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var k *APIKey
	f.good, k, err = f.mgr.Create(ctx, APIKey{Name: "mobile app", Owner: "acme", Plan: "gold", Tags: map[string]string{"env": "prod"}, Scopes: []string{"orders:read"}})
	must(err)
	f.id = k.ID
	f.disabled, _, err = f.mgr.Create(ctx, APIKey{ID: "k-disabled", Disabled: true})
	must(err)
	f.expired, _, err = f.mgr.Create(ctx, APIKey{ID: "k-expired", ExpiresAt: f.clk.Now().Add(-time.Second)})
	must(err)
	f.rotatedOld, _, err = f.mgr.Create(ctx, APIKey{ID: "k-rotated"})
	must(err)
	f.rotatedNew, _, err = f.mgr.Rotate(ctx, "k-rotated", time.Hour)
	must(err)
	return f
}

func TestAPIKeyHandler(t *testing.T) {
	f := newAPIKeyFixture(t)
	withQuery, err := NewAPIKeys(APIKeyConfig{Store: f.store, QueryParam: "api_key", Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	headerOnly, err := NewAPIKeys(APIKeyConfig{Store: f.store, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	down, err := NewAPIKeys(APIKeyConfig{Store: &failingStore{}, Now: f.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		a         *APIKeyAuth
		target    string
		headers   []string
		want      int
		wantType  string
		wantErr   error
		wantOwner string
		wantQuery string
	}{
		{"valid header", headerOnly, "/", []string{"X-Api-Key", f.good}, 200, "", nil, "acme", ""},
		{"valid query, removed", withQuery, "/x?a=1&api_key=" + f.good + "&b=2", nil, 200, "", nil, "acme", "a=1&b=2"},
		{"escaped query name", withQuery, "/x?api%5Fkey=" + f.good, nil, 200, "", nil, "acme", ""},
		{"query ignored when not configured", headerOnly, "/x?api_key=" + f.good, nil, 401, "UNAUTHORIZED", ErrUnauthorized, "", ""},
		{"missing", headerOnly, "/", nil, 401, "UNAUTHORIZED", ErrUnauthorized, "", ""},
		{"empty header", headerOnly, "/", []string{"X-Api-Key", ""}, 401, "UNAUTHORIZED", ErrUnauthorized, "", ""},
		{"unknown", headerOnly, "/", []string{"X-Api-Key", GenerateKey()}, 401, "INVALID_API_KEY", ErrInvalidAPIKey, "", ""},
		{"too short", headerOnly, "/", []string{"X-Api-Key", "abc"}, 401, "INVALID_API_KEY", ErrInvalidAPIKey, "", ""},
		{"too long", headerOnly, "/", []string{"X-Api-Key", strings.Repeat("a", MaxKeyLength+1)}, 401, "INVALID_API_KEY", ErrInvalidAPIKey, "", ""},
		{"control character", headerOnly, "/", []string{"X-Api-Key", f.good + "\x01"}, 401, "INVALID_API_KEY", ErrInvalidAPIKey, "", ""},
		{"prefix of a key", headerOnly, "/", []string{"X-Api-Key", f.good[:len(f.good)-1]}, 401, "INVALID_API_KEY", ErrInvalidAPIKey, "", ""},
		{"disabled", headerOnly, "/", []string{"X-Api-Key", f.disabled}, 403, "ACCESS_DENIED", ErrAPIKeyDisabled, "", ""},
		{"expired", headerOnly, "/", []string{"X-Api-Key", f.expired}, 401, "INVALID_API_KEY", ErrAPIKeyExpired, "", ""},
		{"rotated: old within grace", headerOnly, "/", []string{"X-Api-Key", f.rotatedOld}, 200, "", nil, "k-rotated", ""},
		{"rotated: new", headerOnly, "/", []string{"X-Api-Key", f.rotatedNew}, 200, "", nil, "k-rotated", ""},
		{"two headers", headerOnly, "/", []string{"X-Api-Key", f.good, "X-Api-Key", f.good}, 400, "BAD_REQUEST_PARAMETERS", ErrInvalidRequest, "", ""},
		{"header and query", withQuery, "/?api_key=" + f.good, []string{"X-Api-Key", f.good}, 400, "BAD_REQUEST_PARAMETERS", ErrInvalidRequest, "", ""},
		{"query twice", withQuery, "/?api_key=" + f.good + "&api_key=" + f.good, nil, 400, "BAD_REQUEST_PARAMETERS", ErrInvalidRequest, "", ""},
		{"store down", down, "/", []string{"X-Api-Key", f.good}, 503, "AUTHORIZER_FAILURE", ErrKeyStoreUnavailable, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Principal
			var seen *http.Request
			h := tt.a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, seen = PrincipalFrom(r.Context()), r
			}))
			req := httptest.NewRequest("GET", tt.target, nil)
			for i := 0; i < len(tt.headers); i += 2 {
				req.Header.Add(tt.headers[i], tt.headers[i+1])
			}
			info := &reqctx.Info{}
			var handled error
			info.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
				handled = err
				problem.DefaultErrorHandler(w, r, err)
			}
			req = req.WithContext(reqctx.With(req.Context(), info))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			// Whatever the outcome, the layers around the block (access
			// logs) no longer see the key.
			// Loggers such as chi's and gorilla's print RequestURI.
			if tt.a == withQuery && (strings.Contains(req.URL.RawQuery, "api_key") || strings.Contains(req.RequestURI, KeyPrefix)) ||
				req.Header.Get("X-Api-Key") != "" {
				t.Errorf("key left in the request: %q %q %v", req.URL.RawQuery, req.RequestURI, req.Header)
			}
			if info.ErrorType != tt.wantType {
				t.Errorf("error type %q, want %q", info.ErrorType, tt.wantType)
			}
			if tt.wantErr != nil && !errors.Is(handled, tt.wantErr) {
				t.Errorf("error %v, want %v", handled, tt.wantErr)
			}
			if body := rec.Body.String(); strings.Contains(body, "10.0.0.5") || strings.Contains(body, "gk_") {
				t.Errorf("body leaks: %s", body)
			}
			switch tt.want {
			case 200:
				if got == nil || got.ID != tt.wantOwner || got.Method != MethodAPIKey || got.KeyID == "" || strings.HasPrefix(got.KeyID, KeyPrefix) {
					t.Fatalf("principal %+v", got)
				}
				if seen.Header.Get("X-Api-Key") != "" || strings.Contains(seen.URL.RawQuery, "api_key") || strings.Contains(seen.RequestURI, "api_key") {
					t.Fatalf("key forwarded: %v %q %q", seen.Header, seen.URL.RawQuery, seen.RequestURI)
				}
				if seen.URL.RawQuery != tt.wantQuery {
					t.Fatalf("query %q, want %q", seen.URL.RawQuery, tt.wantQuery)
				}
			case 401:
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "APIKey") {
					t.Fatalf("challenge %q", rec.Header().Get("WWW-Authenticate"))
				}
			case 503:
				if rec.Header().Get("Retry-After") == "" {
					t.Fatal("no Retry-After")
				}
			}
		})
	}
}

func TestAPIKeyPrincipal(t *testing.T) {
	f := newAPIKeyFixture(t)
	a, _ := NewAPIKeys(APIKeyConfig{Store: f.store, Now: f.clk.Now, KeepHeader: true})
	var p *Principal
	var header string
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, header = PrincipalFrom(r.Context()), r.Header.Get("X-Api-Key")
	}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Api-Key", f.good)
	h.ServeHTTP(httptest.NewRecorder(), req)
	if p == nil || p.KeyID != f.id || p.ID != "acme" || len(p.Scopes) != 1 {
		t.Fatalf("principal %+v", p)
	}
	c := Claims(p.Claims)
	if plan, _ := c.String("plan"); plan != "gold" {
		t.Errorf("plan claim %v", p.Claims)
	}
	if name, _ := c.String("key_name"); name != "mobile app" {
		t.Errorf("key_name claim %v", p.Claims)
	}
	if tags, _ := p.Claims["tags"].(map[string]any); tags["env"] != "prod" {
		t.Errorf("tags claim %v", p.Claims)
	}
	if header != f.good {
		t.Error("KeepHeader did not keep the header")
	}
}

func TestAPIKeyRotationGrace(t *testing.T) {
	f := newAPIKeyFixture(t)
	a, _ := NewAPIKeys(APIKeyConfig{Store: f.store, Now: f.clk.Now})
	status := func(key string) int {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("X-Api-Key", key)
		rec := httptest.NewRecorder()
		a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, req)
		return rec.Code
	}
	if status(f.rotatedOld) != 200 || status(f.rotatedNew) != 200 {
		t.Fatal("both secrets must work during the grace period")
	}
	f.clk.Advance(time.Hour)
	if got := status(f.rotatedOld); got != 401 {
		t.Fatalf("old secret after grace: %d", got)
	}
	if status(f.rotatedNew) != 200 {
		t.Fatal("new secret stopped working")
	}
	// A second rotation with no grace ends the previous secret at once and
	// drops the expired one from the record.
	newest, k, err := f.mgr.Rotate(context.Background(), "k-rotated", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Secrets) != 1 || status(f.rotatedNew) != 401 || status(newest) != 200 {
		t.Fatalf("after immediate rotation: %d secrets", len(k.Secrets))
	}
	f.clk.Advance(365 * 24 * time.Hour)
	if status(newest) != 200 {
		t.Fatal("an unrotated secret must not expire")
	}
}

func TestKeyManager(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryKeyStore()
	m := &KeyManager{Store: s}
	secret, k, err := m.Create(ctx, APIKey{ID: "k1"})
	if err != nil || !strings.HasPrefix(secret, KeyPrefix) || len(secret) != len(KeyPrefix)+43 {
		t.Fatalf("Create: %q %v", secret, err)
	}
	if k.Secrets[0].Hash != HashKey(secret) || strings.Contains(k.Secrets[0].Hash.String(), secret) {
		t.Fatal("stored hash does not match")
	}
	if _, _, err := m.Create(ctx, APIKey{ID: "k1"}); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("duplicate id: %v", err)
	}
	for _, id := range []string{"a b", "tab\t", strings.Repeat("x", 129), "é"} {
		if _, _, err := m.Create(ctx, APIKey{ID: id}); err == nil {
			t.Errorf("id %q accepted", id)
		}
	}
	if _, err := m.Import(ctx, APIKey{ID: "k2"}, "short"); err == nil {
		t.Fatal("short import accepted")
	}
	if _, err := m.Import(ctx, APIKey{ID: "k3"}, secret); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("import of an existing secret: %v", err)
	}
	for range MaxSecrets + 2 {
		if _, k, err = m.Rotate(ctx, "k1", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if len(k.Secrets) != MaxSecrets {
		t.Fatalf("%d secrets after many rotations", len(k.Secrets))
	}
	if _, _, err := m.Rotate(ctx, "nope", time.Hour); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("rotate unknown: %v", err)
	}
	if _, _, err := m.Rotate(ctx, "k1", -time.Second); err == nil {
		t.Fatal("negative grace accepted")
	}
	if k, err = m.SetDisabled(ctx, "k1", true); err != nil || !k.Disabled {
		t.Fatalf("disable: %v", err)
	}
	if err := m.Delete(ctx, "k1"); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 0 || len(s.byHash) != 0 {
		t.Fatalf("delete left %d keys, %d hashes", s.Len(), len(s.byHash))
	}
	if err := m.Delete(ctx, "k1"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if a, b := GenerateKey(), GenerateKey(); a == b {
		t.Fatal("GenerateKey repeats")
	}
}

func TestUnknownKeysCreateNoState(t *testing.T) {
	f := newAPIKeyFixture(t)
	a, _ := NewAPIKeys(APIKeyConfig{Store: f.store, Now: f.clk.Now})
	before := len(f.store.byHash)
	h := a.Handler(http.NotFoundHandler())
	for range 1000 {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("X-Api-Key", GenerateKey())
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	if len(f.store.byHash) != before || f.store.Len() != 4 {
		t.Fatal("unknown keys changed the store")
	}
}

func TestAPIKeyConfigErrors(t *testing.T) {
	for _, cfg := range []APIKeyConfig{
		{},
		{Store: NewMemoryKeyStore(), Header: "X Api"},
		{Store: NewMemoryKeyStore(), QueryParam: "a=b"},
	} {
		if _, err := NewAPIKeys(cfg); err == nil {
			t.Errorf("NewAPIKeys(%+v) accepted", cfg)
		}
		h := APIKeys(cfg)(http.NotFoundHandler())
		if v, ok := h.(interface{ Validate() error }); !ok || v.Validate() == nil {
			t.Error("APIKeys did not report the mistake through Validate")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != 500 {
			t.Errorf("invalid config served %d", rec.Code)
		}
	}
}

func TestCutQueryParam(t *testing.T) {
	tests := []struct {
		raw, value string
		n          int
		rest       string
	}{
		{"", "", 0, ""},
		{"a=1", "", 0, "a=1"},
		{"api_key=k", "k", 1, ""},
		{"a=1&api_key=k&b=2", "k", 1, "a=1&b=2"},
		{"api_key=k1&api_key=k2", "k1", 2, ""},
		{"api_key", "", 1, ""},
		{"api%5fkey=a%2Bb", "a+b", 1, ""},
		{"xapi_key=k&api_keyx=k", "", 0, "xapi_key=k&api_keyx=k"},
		{"a=%zz&api_key=k", "k", 1, "a=%zz"},
		{"api_key=%zz", "%zz", 1, ""},
		{"&&api_key=k&&", "k", 1, ""},
	}
	for _, tt := range tests {
		v, n, rest := cutQueryParam(tt.raw, "api_key")
		if v != tt.value || n != tt.n || rest != tt.rest {
			t.Errorf("cutQueryParam(%q) = %q, %d, %q; want %q, %d, %q", tt.raw, v, n, rest, tt.value, tt.n, tt.rest)
		}
	}
}

// FuzzAPIKeyExtract feeds arbitrary headers and queries to key extraction
// and checks that the key never survives in what is passed on, and that
// nothing but a stored key authenticates.
func FuzzAPIKeyExtract(f *testing.F) {
	store := NewMemoryKeyStore()
	m := &KeyManager{Store: store}
	good, _, err := m.Create(context.Background(), APIKey{ID: "k"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("", "api_key="+good)
	f.Add(good, "")
	f.Add(good, "api_key="+good)
	f.Add("x", "a=1&api%5Fkey=x&api_key")
	f.Add("", "api_key="+good+"%00")
	a, err := NewAPIKeys(APIKeyConfig{Store: store, QueryParam: "api_key"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header, query string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.RawQuery = query
		req.RequestURI = "/?" + query
		if header != "" {
			req.Header["X-Api-Key"] = []string{header}
		}
		var passed *http.Request
		rec := httptest.NewRecorder()
		a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { passed = r })).ServeHTTP(rec, req)
		// Whatever the outcome, the request the outer layers log holds no
		// key parameter, in its URL or in its RequestURI.
		_, uriQuery, _ := strings.Cut(req.RequestURI, "?")
		for _, q := range []string{req.URL.RawQuery, uriQuery} {
			if _, n, _ := cutQueryParam(q, "api_key"); n != 0 {
				t.Fatalf("key left for the outer layers: %q", q)
			}
		}
		if passed == nil {
			if rec.Code < 400 {
				t.Fatalf("rejected with %d", rec.Code)
			}
			return
		}
		if p := PrincipalFrom(passed.Context()); p == nil || p.KeyID != "k" {
			t.Fatalf("passed without the key's principal: %+v", p)
		}
		if _, n, _ := cutQueryParam(passed.URL.RawQuery, "api_key"); n != 0 || passed.Header.Get("X-Api-Key") != "" {
			t.Fatalf("key forwarded: %q %v", passed.URL.RawQuery, passed.Header)
		}
	})
}

func BenchmarkAPIKey(b *testing.B) {
	f := newAPIKeyFixture(b)
	a, _ := NewAPIKeys(APIKeyConfig{Store: f.store, Now: f.clk.Now, KeepHeader: true})
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Api-Key", f.good)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	if w.Code != 200 {
		b.Fatal(w.Code)
	}
}

func TestAPIKeyHitAllocations(t *testing.T) {
	f := newAPIKeyFixture(t)
	a, _ := NewAPIKeys(APIKeyConfig{Store: f.store, Now: f.clk.Now, KeepHeader: true})
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("X-Api-Key", f.good)
	w := httptest.NewRecorder()
	// With a memory store the principal is shared: only the request's new
	// context remains.
	if n := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, req) }); n > 2 {
		t.Fatalf("a memory-store hit allocates %.0f times", n)
	}
}
