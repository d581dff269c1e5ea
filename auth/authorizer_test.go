package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

// authzFixture counts calls of an authorizer function that allows the
// token "good" (for every route, or only the routes in routes), refuses
// "bad" with 401 and "nope" with 403, and fails on anything else.
type authzFixture struct {
	calls  atomic.Int64
	clk    *clock
	routes []string
	// onlyRoute, if set, makes "good" valid on that route alone, decided
	// from the request rather than through Routes.
	onlyRoute string
}

var errBackend = errors.New("user database at 10.1.1.1 refused the connection")

func (f *authzFixture) authorize(_ context.Context, req *AuthorizerRequest) (*Decision, error) {
	f.calls.Add(1)
	token := req.Token()
	switch {
	case strings.HasPrefix(token, "Bearer "):
		token = "good"
	case strings.HasPrefix(token, "bad"):
		token = "bad"
	}
	switch token {
	case "good":
		if f.onlyRoute != "" && req.Route != f.onlyRoute {
			return nil, ErrForbidden
		}
		return &Decision{PrincipalID: "user-1", Context: map[string]any{"tenant": "t1"}, Scopes: []string{"read"}, Routes: f.routes}, nil
	case "bad":
		return nil, ErrUnauthorized
	case "nope":
		return nil, ErrForbidden
	case "panic":
		panic("authorizer bug")
	case "nil":
		return nil, nil
	}
	return nil, errBackend
}

func (f *authzFixture) new(t testing.TB, cfg AuthorizerConfig) *Authorizer {
	t.Helper()
	if f.clk == nil {
		f.clk = newClock()
	}
	cfg.Authorize, cfg.Now = f.authorize, f.clk.Now
	a, err := NewAuthorizer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// serve sends a request through a, optionally as if a gateway had matched
// route on stage, and returns the recorder, the principal seen and the
// error handed to the error handler.
func serve(a *Authorizer, method, target, route, stage string, headers ...string) (*httptest.ResponseRecorder, *Principal, error) {
	var p *Principal
	h := a.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p = PrincipalFrom(r.Context()) }))
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	var handled error
	info := &reqctx.Info{Route: route, Stage: stage, ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		problem.DefaultErrorHandler(w, r, err)
	}}
	req = req.WithContext(reqctx.With(req.Context(), info))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, p, handled
}

func TestAuthorizerOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    int
		wantErr error
		calls   int64
	}{
		{"allow", []string{"Authorization", "good"}, 200, nil, 1},
		{"missing", nil, 401, ErrUnauthorized, 0},
		{"blank", []string{"Authorization", "  "}, 401, ErrUnauthorized, 0},
		{"too long", []string{"Authorization", strings.Repeat("x", maxIdentityLen+1)}, 401, ErrUnauthorized, 0},
		{"repeated", []string{"Authorization", "good", "Authorization", "good"}, 400, ErrInvalidRequest, 0},
		{"refused 401", []string{"Authorization", "bad"}, 401, ErrUnauthorized, 1},
		{"refused 403", []string{"Authorization", "nope"}, 403, ErrForbidden, 1},
		{"function error", []string{"Authorization", "other"}, 500, ErrAuthorizerFailure, 1},
		{"panic", []string{"Authorization", "panic"}, 500, ErrAuthorizerFailure, 1},
		{"nil decision", []string{"Authorization", "nil"}, 500, ErrAuthorizerFailure, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &authzFixture{}
			a := f.new(t, AuthorizerConfig{})
			rec, p, err := serve(a, "GET", "/a", "/a", "", tt.headers...)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.want, rec.Body)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if f.calls.Load() != tt.calls {
				t.Fatalf("function called %d times, want %d", f.calls.Load(), tt.calls)
			}
			if strings.Contains(rec.Body.String(), "10.1.1.1") || strings.Contains(rec.Body.String(), "bug") {
				t.Fatalf("body leaks: %s", rec.Body)
			}
			if tt.want == 401 && rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Fatalf("challenge %q", rec.Header().Get("WWW-Authenticate"))
			}
			if tt.want == 200 && (p == nil || p.ID != "user-1" || p.Method != MethodAuthorizer || p.Claims["tenant"] != "t1") {
				t.Fatalf("principal %+v", p)
			}
		})
	}
}

func TestAuthorizerCache(t *testing.T) {
	f := &authzFixture{}
	a := f.new(t, AuthorizerConfig{CacheTTL: time.Minute})
	for range 3 {
		if rec, _, _ := serve(a, "GET", "/a", "/a", "", "Authorization", "good"); rec.Code != 200 {
			t.Fatal(rec.Code)
		}
	}
	if f.calls.Load() != 1 {
		t.Fatalf("%d calls for a cached decision", f.calls.Load())
	}
	f.clk.Advance(time.Minute)
	serve(a, "GET", "/a", "/a", "", "Authorization", "good")
	if f.calls.Load() != 2 {
		t.Fatal("an expired decision was reused")
	}
	// Errors are not cached.
	serve(a, "GET", "/a", "/a", "", "Authorization", "other")
	serve(a, "GET", "/a", "/a", "", "Authorization", "other")
	if f.calls.Load() != 4 {
		t.Fatalf("%d calls: a failure was cached", f.calls.Load())
	}
	// A 401 holds for the identity on every route.
	serve(a, "GET", "/a", "/a", "", "Authorization", "bad")
	if rec, _, _ := serve(a, "POST", "/b", "/b", "", "Authorization", "bad"); rec.Code != 401 || f.calls.Load() != 5 {
		t.Fatalf("401 not reused across routes: %d, %d calls", rec.Code, f.calls.Load())
	}
	// Stages do not share decisions.
	serve(a, "GET", "/a", "/a", "beta", "Authorization", "good")
	if f.calls.Load() != 6 {
		t.Fatal("a decision crossed stages")
	}

	off := &authzFixture{}
	b := off.new(t, AuthorizerConfig{CacheTTL: -1})
	serve(b, "GET", "/a", "/a", "", "Authorization", "good")
	serve(b, "GET", "/a", "/a", "", "Authorization", "good")
	if off.calls.Load() != 2 || b.cache != nil {
		t.Fatal("a negative CacheTTL must turn caching off")
	}
}

// TestAuthorizerCacheRespectsRoutes is the "cached allow for route A lets
// B through" case, in both forms a decision can take.
func TestAuthorizerCacheRespectsRoutes(t *testing.T) {
	t.Run("decision made for one route", func(t *testing.T) {
		f := &authzFixture{onlyRoute: "/a"}
		a := f.new(t, AuthorizerConfig{})
		if rec, _, _ := serve(a, "GET", "/a", "/a", "", "Authorization", "good"); rec.Code != 200 {
			t.Fatal(rec.Code)
		}
		if rec, _, _ := serve(a, "GET", "/b", "/b", "", "Authorization", "good"); rec.Code != 403 {
			t.Fatalf("cached allow for /a let /b through: %d", rec.Code)
		}
		if rec, _, _ := serve(a, "DELETE", "/a", "/a", "", "Authorization", "good"); rec.Code != 200 || f.calls.Load() != 3 {
			t.Fatalf("another method must be decided anew: %d, %d calls", rec.Code, f.calls.Load())
		}
		// Same route template, other path: decided anew, since the
		// function may have looked at the path.
		serve(a, "GET", "/users/2", "/users/:id", "", "Authorization", "good")
		serve(a, "GET", "/users/3", "/users/:id", "", "Authorization", "good")
		if f.calls.Load() != 5 {
			t.Fatalf("%d calls", f.calls.Load())
		}
	})
	t.Run("decision listing routes", func(t *testing.T) {
		f := &authzFixture{routes: []string{"GET /users/:id", "/admin/*"}}
		a := f.new(t, AuthorizerConfig{})
		for _, tc := range []struct {
			method, path, route string
			want                int
		}{
			{"GET", "/users/1", "/users/:id", 200},
			{"HEAD", "/users/1", "/users/:id", 200},
			{"GET", "/users/2", "/users/:id", 200},
			{"DELETE", "/users/2", "/users/:id", 403},
			{"POST", "/admin/x", "/admin/x", 200},
			{"GET", "/admin", "/admin", 403},
			{"GET", "/orders", "/orders", 403},
		} {
			if rec, _, _ := serve(a, tc.method, tc.path, tc.route, "", "Authorization", "good"); rec.Code != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.want)
			}
		}
		if f.calls.Load() != 1 {
			t.Fatalf("a decision with Routes must serve every route: %d calls", f.calls.Load())
		}
	})
	t.Run("outside a gateway", func(t *testing.T) {
		f := &authzFixture{routes: []string{"/public/*"}}
		a := f.new(t, AuthorizerConfig{})
		if rec, _, _ := serve(a, "GET", "/public/../private", "", "", "Authorization", "good"); rec.Code != 403 {
			t.Fatalf("dot segments escaped the route check: %d", rec.Code)
		}
	})
}

func TestAuthorizerRequestSources(t *testing.T) {
	var got []string
	a, err := NewAuthorizer(AuthorizerConfig{
		IdentitySources: []IdentitySource{IdentityHeader("x-tenant"), IdentityQuery("token"), IdentityCookie("session"), IdentityStageVar("realm")},
		Authorize: func(_ context.Context, req *AuthorizerRequest) (*Decision, error) {
			got = req.Identity
			return &Decision{PrincipalID: "p"}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	send := func(target string, stageVars map[string]string, headers ...string) int {
		req := httptest.NewRequest("GET", target, nil)
		for i := 0; i < len(headers); i += 2 {
			req.Header.Add(headers[i], headers[i+1])
		}
		req = req.WithContext(reqctx.With(req.Context(), &reqctx.Info{StageVars: stageVars}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	vars := map[string]string{"realm": "eu"}
	if code := send("/?token=a%20b", vars, "X-Tenant", "t1", "Cookie", "session=s1"); code != 200 {
		t.Fatal(code)
	}
	if strings.Join(got, "|") != "t1|a b|s1|eu" {
		t.Fatalf("identity %q", got)
	}
	for name, code := range map[string]int{
		"no query":     send("/", vars, "X-Tenant", "t1", "Cookie", "session=s1"),
		"no cookie":    send("/?token=a", vars, "X-Tenant", "t1"),
		"no stage var": send("/?token=a", nil, "X-Tenant", "t1", "Cookie", "session=s1"),
		"query twice":  send("/?token=a&token=b", vars, "X-Tenant", "t1", "Cookie", "session=s1"),
		// The function would see one cookie and the upstream maybe the
		// other.
		"cookie twice":            send("/?token=a", vars, "X-Tenant", "t1", "Cookie", "session=s1; session=s2"),
		"cookie in two headers":   send("/?token=a", vars, "X-Tenant", "t1", "Cookie", "session=s1", "Cookie", "session=s2"),
		"cookie twice, one empty": send("/?token=a", vars, "X-Tenant", "t1", "Cookie", "session=; session=s2"),
	} {
		want := 401
		if strings.Contains(name, "twice") || strings.Contains(name, "two") {
			want = 400
		}
		if code != want {
			t.Errorf("%s: %d, want %d", name, code, want)
		}
	}
}

func TestAuthorizerSingleFlight(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	a, err := NewAuthorizer(AuthorizerConfig{Authorize: func(ctx context.Context, req *AuthorizerRequest) (*Decision, error) {
		calls.Add(1)
		<-release
		return &Decision{PrincipalID: "p"}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var wg sync.WaitGroup
	var ok atomic.Int64
	for range 50 {
		wg.Go(func() {
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Authorization", "same")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code == 200 {
				ok.Add(1)
			}
		})
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond) // wait for the first call to start
	}
	time.Sleep(20 * time.Millisecond) // let the others join it
	close(release)
	wg.Wait()
	if ok.Load() != 50 || calls.Load() > 2 {
		t.Fatalf("%d allowed, %d calls", ok.Load(), calls.Load())
	}
}

func TestAuthorizerTimeout(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	a, err := NewAuthorizer(AuthorizerConfig{Timeout: 20 * time.Millisecond, Authorize: func(ctx context.Context, req *AuthorizerRequest) (*Decision, error) {
		if req.Token() == "ignores-context" {
			<-block
			return nil, errBackend
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{"honours-context", "ignores-context"} {
		rec, _, err := serve(a, "GET", "/", "", "", "Authorization", token)
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || !errors.Is(err, ErrAuthorizerFailure) {
			t.Fatalf("%s: %d %v", token, rec.Code, err)
		}
	}
}

func TestAuthorizerCacheBounded(t *testing.T) {
	f := &authzFixture{}
	a := f.new(t, AuthorizerConfig{CacheSize: 10})
	for i := range 100 {
		serve(a, "GET", "/", "", "", "Authorization", "bad"+string(rune('a'+i%26))+strings.Repeat("x", i))
	}
	if n := a.cache.len(); n != 10 {
		t.Fatalf("cache holds %d entries, bound 10", n)
	}
}

func TestAuthorizerConfigErrors(t *testing.T) {
	fn := func(context.Context, *AuthorizerRequest) (*Decision, error) { return nil, nil }
	for name, cfg := range map[string]AuthorizerConfig{
		"no function":  {},
		"ttl too long": {Authorize: fn, CacheTTL: MaxAuthorizerTTL + time.Second},
		"bad source":   {Authorize: fn, IdentitySources: []IdentitySource{IdentityHeader("a b")}},
		"zero source":  {Authorize: fn, IdentitySources: []IdentitySource{{}}},
		"no sources":   {Authorize: fn, IdentitySources: []IdentitySource{}},
		"negative":     {Authorize: fn, CacheSize: -1, Timeout: -1},
	} {
		if _, err := NewAuthorizer(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
		h := CustomAuthorizer(cfg)(http.NotFoundHandler())
		if v, ok := h.(interface{ Validate() error }); !ok || v.Validate() == nil {
			t.Errorf("%s: not reported through Validate", name)
		}
	}
	if _, err := NewAuthorizer(AuthorizerConfig{Authorize: fn, CacheTTL: MaxAuthorizerTTL}); err != nil {
		t.Fatalf("the maximum TTL is allowed: %v", err)
	}
}

func TestDecisionRoutes(t *testing.T) {
	if _, err := compileRoutes([]string{"users"}); err == nil {
		t.Fatal("relative route accepted")
	}
	f := &authzFixture{routes: []string{"nonsense"}}
	a := f.new(t, AuthorizerConfig{})
	if rec, _, _ := serve(a, "GET", "/", "/", "", "Authorization", "good"); rec.Code != 500 {
		t.Fatalf("a decision with bad routes: %d", rec.Code)
	}
}

// FuzzQueryValue compares the allocation-free query reader with
// net/url's parser on the queries the latter accepts.
func FuzzQueryValue(f *testing.F) {
	for _, s := range []string{"token=a", "a=1&token=x%20y&token=2", "tok%65n=v", "token", "token=a+b", "=&&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, n := queryValue(raw, "token")
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		want := q["token"]
		if n != len(want) || n > 0 && v != want[0] {
			t.Fatalf("queryValue(%q) = %q, %d; url.ParseQuery says %q", raw, v, n, want)
		}
	})
}

func TestAuthorizerCachedDoesNotAllocateMuch(t *testing.T) {
	f := &authzFixture{}
	a := f.new(t, AuthorizerConfig{})
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/a", nil)
	req.Header.Set("Authorization", "good")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	// The principal is shared; only the request's new context remains.
	if n := testing.AllocsPerRun(200, func() { h.ServeHTTP(w, req) }); n > 2 {
		t.Fatalf("a cached decision allocates %.0f times", n)
	}
}

func BenchmarkAuthorizerCached(b *testing.B) {
	f := &authzFixture{}
	a := f.new(b, AuthorizerConfig{})
	h := a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/a", nil)
	req.Header.Set("Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl")
	f.routes = []string{"*"}
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
	if f.calls.Load() != 1 {
		b.Fatalf("%d calls", f.calls.Load())
	}
}

// FuzzAuthorizerIdentity sends hostile identity values: the function is
// called only with every source present and non-blank, and whatever it is
// given, nothing but an allow reaches the handler.
func FuzzAuthorizerIdentity(f *testing.F) {
	f.Add("Bearer x", "token=a", "s=1")
	f.Add("", "token=%zz&token=b", "s=;;")
	f.Add(" ", "tok%65n=+", "s=\x00")
	var lastIdentity []string
	a, err := NewAuthorizer(AuthorizerConfig{
		IdentitySources: []IdentitySource{IdentityHeader("Authorization"), IdentityQuery("token"), IdentityCookie("s")},
		Authorize: func(_ context.Context, req *AuthorizerRequest) (*Decision, error) {
			lastIdentity = req.Identity
			if req.Identity[0] == "Bearer ok" {
				return &Decision{PrincipalID: "p", Routes: []string{"GET /ok"}}, nil
			}
			return nil, ErrUnauthorized
		},
		CacheTTL: -1,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, authz, query, cookie string) {
		lastIdentity = nil
		req := httptest.NewRequest("GET", "/ok", nil)
		req.URL.RawQuery = query
		req.Header["Authorization"] = []string{authz}
		req.Header["Cookie"] = []string{cookie}
		reached := false
		rec := httptest.NewRecorder()
		a.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true })).ServeHTTP(rec, req)
		for _, v := range lastIdentity {
			if strings.TrimSpace(v) == "" {
				t.Fatalf("called with a blank identity %q", lastIdentity)
			}
		}
		if reached != (rec.Code == 200) || reached && authz != "Bearer ok" {
			t.Fatalf("reached=%v status=%d for %q", reached, rec.Code, authz)
		}
	})
}
