package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })

func newLimiter(t testing.TB, l Limit, opts ...Option) *Limiter {
	t.Helper()
	lim, err := New(l, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return lim
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func get() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }

func withPrincipal(r *http.Request, p *reqctx.Principal) *http.Request {
	return r.WithContext(reqctx.WithPrincipal(r.Context(), p))
}

func TestLimiterRefusal(t *testing.T) {
	c := newClock(epoch)
	h := newLimiter(t, PerSecond(2).Burst(3), Clock(c.Now)).Handler(ok)
	for i, want := range []string{`"default";r=2;t=1`, `"default";r=1;t=1`, `"default";r=0;t=2`} {
		rec := serve(h, get())
		if rec.Code != http.StatusNoContent {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
		if got := rec.Header().Get("RateLimit"); got != want {
			t.Errorf("request %d: RateLimit %q, want %q", i, got, want)
		}
		if got := rec.Header().Get("RateLimit-Policy"); got != `"default";q=2;w=1` {
			t.Errorf("RateLimit-Policy %q", got)
		}
	}
	rec := serve(h, get())
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("fourth request: %d", rec.Code)
	}
	if rec.Header().Get("Content-Type") != problem.ContentType || rec.Header().Get("Retry-After") != "1" ||
		rec.Header().Get("RateLimit") != `"default";r=0;t=2` {
		t.Fatalf("refusal headers %v", rec.Header())
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["status"] != 429.0 || doc["limit"] != "throttle" || !strings.Contains(doc["detail"].(string), "rate limit") {
		t.Fatalf("body %s", rec.Body)
	}
	c.Advance(500 * time.Millisecond)
	if rec := serve(h, get()); rec.Code != http.StatusNoContent {
		t.Fatalf("after refill: %d", rec.Code)
	}
}

func TestLimiterQuotaRefusal(t *testing.T) {
	c := newClock(epoch)
	lim := newLimiter(t, PerSecond(10), WithQuota(Daily(2)), ByHeader("X-Client"), Clock(c.Now))
	h := lim.Handler(ok)
	r := get()
	r.Header.Set("X-Client", "c1")
	for i := 0; i < 2; i++ {
		if rec := serve(h, r); rec.Code != http.StatusNoContent {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := serve(h, r)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), `"limit":"quota"`) ||
		!strings.Contains(rec.Body.String(), "quota") {
		t.Fatalf("quota refusal %d %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Retry-After"); got != "43200" {
		t.Errorf("Retry-After %q, want the 12h to midnight", got)
	}
	if got := rec.Header().Get("RateLimit-Policy"); got != `"default";q=10;w=1, "default-quota";q=2;w=86400` {
		t.Errorf("RateLimit-Policy %q", got)
	}
	if got := rec.Header().Get("RateLimit"); got != `"default";r=8;t=1, "default-quota";r=0;t=43200` {
		t.Errorf("RateLimit %q", got)
	}
	st, err := lim.UpdateQuota(context.Background(), "c1", false, 1)
	if err != nil || st.Remaining != 1 {
		t.Fatalf("extend: %+v %v", st, err)
	}
	if rec := serve(h, r); rec.Code != http.StatusNoContent {
		t.Fatalf("after extension: %d", rec.Code)
	}
	if st, _ := lim.Quota(context.Background(), "c1"); st.Used != 2 || st.Remaining != 0 {
		t.Fatalf("quota after extension %+v", st)
	}
	days, err := lim.Usage(context.Background(), "c1", epoch, epoch)
	if err != nil || fmt.Sprint(days) != "[{2025-01-15 3}]" {
		t.Fatalf("usage %v %v", days, err)
	}
	if _, err := newLimiter(t, PerSecond(1)).Usage(context.Background(), "c1", epoch, epoch); err == nil {
		t.Fatal("usage of a limiter without quota")
	}
	if s := lim.Stats(); s.QuotaExceeded != 1 || s.Throttled != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestLimiterHeadersOff(t *testing.T) {
	h := newLimiter(t, PerSecond(1), Headers(false)).Handler(ok)
	if rec := serve(h, get()); rec.Header().Get("RateLimit") != "" || rec.Header().Get("RateLimit-Policy") != "" {
		t.Fatalf("headers on success: %v", rec.Header())
	}
	if rec := serve(h, get()); rec.Code != 429 || rec.Header().Get("RateLimit") == "" {
		t.Fatalf("refusal without headers: %d %v", rec.Code, rec.Header())
	}
}

func TestLimiterErrorHandler(t *testing.T) {
	var got error
	h := newLimiter(t, PerMinute(1), ErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	})).Handler(ok)
	serve(h, get())
	if rec := serve(h, get()); rec.Code != http.StatusTeapot || !errors.Is(got, ErrLimited) {
		t.Fatalf("custom handler: %d %v", rec.Code, got)
	}
	if p := problem.From(got); p.Status != 429 || p.Header.Get("Retry-After") != "60" {
		t.Fatalf("problem %+v", p)
	}
}

func TestLimiterKeys(t *testing.T) {
	alice := &reqctx.Principal{ID: "alice", KeyID: "key-a", Method: "apikey"}
	bob := &reqctx.Principal{ID: "bob", Method: "jwt"}
	inGateway := func(ip string) *http.Request {
		r := get()
		r.RemoteAddr = "10.0.0.1:5555"
		return r.WithContext(reqctx.With(r.Context(), &reqctx.Info{ClientIP: netip.MustParseAddr(ip)}))
	}
	header := func(v string) *http.Request {
		r := get()
		if v != "" {
			r.Header.Set("X-Tenant", v)
		}
		return r
	}
	tests := []struct {
		name string
		opt  Option
		// same and other are two requests for the same key and one for
		// another key; none, when set, is unidentified and must pass.
		same, other, none *http.Request
	}{
		{"api key", ByAPIKey(), withPrincipal(get(), alice), withPrincipal(get(), &reqctx.Principal{ID: "alice", KeyID: "key-b"}), withPrincipal(get(), bob)},
		{"principal", ByPrincipal(), withPrincipal(get(), alice), withPrincipal(get(), bob), get()},
		{"ip through gateway", ByIP(), inGateway("203.0.113.7"), inGateway("203.0.113.8"), nil},
		{"ip of peer", ByIP(), get(), func() *http.Request { r := get(); r.RemoteAddr = "[2001:db8::1]:80"; return r }(), nil},
		{"ip prefix v6", ByIPPrefix(24, 64), inGateway("2001:db8:0:1::1"), inGateway("2001:db8:0:2::1"), nil},
		{"ip prefix v4", ByIPPrefix(24, 64), inGateway("203.0.113.7"), inGateway("203.0.114.7"), nil},
		{"header", ByHeader("x-tenant"), header("t1"), header("t2"), header("")},
		{"func", ByFunc(func(r *http.Request) (string, bool) { return r.URL.Query().Get("k"), r.URL.Query().Has("k") }),
			httptest.NewRequest("GET", "/?k=1", nil), httptest.NewRequest("GET", "/?k=2", nil), get()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := memStore(t, newClock(epoch), 0)
			h := newLimiter(t, PerMinute(1), tt.opt, Name("keys"), WithStore(store)).Handler(ok)
			if tt.none != nil {
				for i := 0; i < 3; i++ {
					if rec := serve(h, tt.none); rec.Code != http.StatusNoContent || rec.Header().Get("RateLimit") != "" {
						t.Fatalf("unidentified request: %d %v", rec.Code, rec.Header())
					}
				}
				if store.Len() != 0 {
					t.Fatalf("unidentified requests created %d keys", store.Len())
				}
			}
			if rec := serve(h, tt.same); rec.Code != http.StatusNoContent {
				t.Fatalf("first: %d", rec.Code)
			}
			if rec := serve(h, tt.same); rec.Code != http.StatusTooManyRequests {
				t.Fatalf("second, same key: %d", rec.Code)
			}
			if rec := serve(h, tt.other); rec.Code != http.StatusNoContent {
				t.Fatalf("other key: %d", rec.Code)
			}
		})
	}
}

func TestLongKeysAreDigested(t *testing.T) {
	store := memStore(t, newClock(epoch), 0)
	h := newLimiter(t, PerMinute(1), ByHeader("X-K"), Name("n"), WithStore(store)).Handler(ok)
	long := strings.Repeat("x", 100_000)
	r := get()
	r.Header.Set("X-K", long)
	serve(h, r)
	if rec := serve(h, r); rec.Code != 429 {
		t.Fatalf("same long key not limited: %d", rec.Code)
	}
	r.Header.Set("X-K", long+"y")
	if rec := serve(h, r); rec.Code != 204 {
		t.Fatalf("different long key limited: %d", rec.Code)
	}
	for i := range store.shards {
		store.shards[i].mu.Lock()
		for _, e := range store.shards[i].entries {
			if len(e.k.key) > maxKeyLen {
				t.Errorf("store holds a %d-byte key", len(e.k.key))
			}
		}
		store.shards[i].mu.Unlock()
	}
}

func TestNewErrors(t *testing.T) {
	store := memStore(t, newClock(epoch), 0)
	tests := []struct {
		name  string
		limit Limit
		opts  []Option
		err   string
	}{
		{"no limit", Limit{}, nil, "needs a limit or a quota"},
		{"bad limit", PerSecond(-1), nil, "rate must be positive"},
		{"bad quota", PerSecond(1), []Option{WithQuota(Daily(-3))}, "maximum must be positive"},
		{"two keys", PerSecond(1), []Option{ByIP(), ByAPIKey()}, "more than one key"},
		{"empty header", PerSecond(1), []Option{ByHeader("")}, "header name"},
		{"nil func", PerSecond(1), []Option{ByFunc(nil)}, "needs a function"},
		{"store without name", PerSecond(1), []Option{WithStore(store)}, "needs a Name"},
		{"nil store", PerSecond(1), []Option{WithStore(nil)}, "needs a store"},
		{"bad name", PerSecond(1), []Option{Name(`a"b`)}, "invalid name"},
		{"default plan", PerSecond(1), []Option{DefaultPlan("x")}, "Plans only"},
		{"bad prefix", PerSecond(1), []Option{ByIPPrefix(33, 64)}, "lengths must be"},
		{"negative timeout", PerSecond(1), []Option{Timeout(-time.Second)}, "negative timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.limit, tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
		})
	}
	if _, err := New(Limit{}, WithQuota(Weekly(5))); err != nil {
		t.Fatalf("quota-only limiter: %v", err)
	}
}

func TestByIPPrefixGroupsNetworks(t *testing.T) {
	h := newLimiter(t, PerMinute(1), ByIPPrefix(24, 64)).Handler(ok)
	from := func(addr string) int {
		r := get()
		r.RemoteAddr = addr
		return serve(h, r).Code
	}
	codes := []int{from("[2001:db8:0:1::1]:1"), from("[2001:db8:0:1:ffff::9]:2"), from("198.51.100.1:3"), from("198.51.100.200:4")}
	if fmt.Sprint(codes) != "[204 429 204 429]" {
		t.Fatalf("codes %v: addresses of one network are not limited together", codes)
	}
}
