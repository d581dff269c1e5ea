package cache

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestMiddlewareRouteOptions(t *testing.T) {
	c, clk := newTestCache(t, TTL(time.Minute), KeyQuery("page"))
	o := &origin{}
	short := c.Middleware(TTL(10*time.Second), KeyQuery("sort"))(o)
	long := c.Handler(o)

	expect(t, do(short, "GET", "/s?page=1&sort=a"), StatusMiss, "call 1")
	expect(t, do(short, "GET", "/s?sort=a&page=1&other=x"), StatusHit, "call 1")
	expect(t, do(short, "GET", "/s?page=1&sort=b"), StatusMiss, "call 2")
	expect(t, do(long, "GET", "/l?page=1&sort=a"), StatusMiss, "call 3")
	expect(t, do(long, "GET", "/l?page=1&sort=b"), StatusHit, "call 3")
	// The two routes keep their entries apart even on one path.
	expect(t, do(long, "GET", "/s?page=1&sort=a"), StatusMiss, "call 4")

	clk.Advance(11 * time.Second)
	expect(t, do(short, "GET", "/s?page=1&sort=a"), StatusMiss, "call 5")
	expect(t, do(long, "GET", "/l?page=1&sort=a"), StatusHit, "call 3")

	if h := c.Middleware(TTL(0))(o); h != http.Handler(o) {
		t.Error("TTL(0) on a route must return next unchanged")
	}
}

func TestMiddlewareMistakes(t *testing.T) {
	c, _ := newTestCache(t)
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"ttl above max", TTL(MaxTTL + time.Second), "TTL"},
		{"negative ttl", TTL(-time.Second), "TTL"},
		{"store", WithStore(c.store), "configures the whole cache"},
		{"clock", Now(time.Now), "configures the whole cache"},
		{"memory", MemoryBytes(1), "configures the whole cache"},
		{"on error", OnError(nil), "configures the whole cache"},
		{"backoff", StoreBackoff(0), "configures the whole cache"},
		{"method", Methods("POST"), "POST"},
		{"status", CacheStatuses(503), "503"},
		{"header", KeyHeaders("bad header"), "invalid header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := c.Middleware(tt.opt)(&origin{})
			v, ok := h.(interface{ Validate() error })
			if !ok {
				t.Fatal("handler has no Validate")
			}
			err := v.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want mention of %q", err, tt.want)
			}
			rec := do(h, "GET", "/x")
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("served %d %q", rec.Code, rec.Body)
			}
		})
	}
	if err := c.Middleware(TTL(time.Second))(&origin{}).(interface{ Validate() error }).Validate(); err != nil {
		t.Errorf("valid route: %v", err)
	}
}

func TestNewMistakes(t *testing.T) {
	_, err := New(TTL(2*time.Hour), KeyQuery(""), MaxEntryBytes(0), Methods(), Invalidation(nil, UnauthorizedAction(9)))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"TTL", "KeyQuery", "MaxEntryBytes", "Methods", "Invalidation"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestCacheStatusAnnotation(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{})
	status := func(path string, header ...string) string {
		r := req("GET", path, header...)()
		info := &reqctx.Info{}
		serve(h, r.WithContext(reqctx.With(r.Context(), info)))
		return info.CacheStatus
	}
	for i, want := range []struct {
		path   string
		header []string
		status string
	}{
		{"/a", nil, "miss"},
		{"/a", nil, "hit"},
		{"/a", []string{"Cache-Control", "no-store"}, "bypass"},
		// An unkeyed override header may be served a stored response,
		// but its own response is not stored.
		{"/a", []string{"X-Forwarded-Host", "x"}, "hit"},
		{"/b", []string{"X-Forwarded-Host", "x"}, "bypass"},
		{"/b", nil, "miss"},
	} {
		if got := status(want.path, want.header...); got != want.status {
			t.Errorf("request %d: CacheStatus %q, want %q", i, got, want.status)
		}
	}
}

func TestStagesHaveSeparateEntries(t *testing.T) {
	c, _ := newTestCache(t)
	h := c.Handler(&origin{})
	in := func(stage string, canary bool) *http.Request {
		r := req("GET", "/a")()
		return r.WithContext(reqctx.With(r.Context(), &reqctx.Info{Stage: stage, Canary: canary}))
	}
	expect(t, serve(h, in("prod", false)), StatusMiss, "call 1")
	expect(t, serve(h, in("beta", false)), StatusMiss, "call 2")
	expect(t, serve(h, in("prod", true)), StatusMiss, "call 3")
	expect(t, serve(h, req("GET", "/a")()), StatusMiss, "call 4")
	expect(t, serve(h, in("prod", false)), StatusHit, "call 1")
	expect(t, serve(h, in("prod", true)), StatusHit, "call 3")
}

func TestUpgradeIsBypassed(t *testing.T) {
	c, _ := newTestCache(t)
	o := &origin{}
	h := c.Handler(o)
	expect(t, do(h, "GET", "/ws", "Connection", "Upgrade", "Upgrade", "websocket"), StatusBypass, "call 1")
	expect(t, do(h, "GET", "/ws"), StatusMiss, "call 2")
}

func TestOnError(t *testing.T) {
	var ops []string
	fail := errors.New("store down")
	c, clk := newTestCache(t, WithStore(failingStore{fail}), StoreBackoff(time.Second),
		OnError(func(op string, err error) {
			if errors.Is(err, fail) {
				ops = append(ops, op)
			}
		}))
	h := c.Handler(&origin{})
	expect(t, do(h, "GET", "/a"), StatusMiss, "call 1")
	expect(t, do(h, "GET", "/a"), StatusMiss, "call 2") // paused: not asked
	clk.Advance(2 * time.Second)
	expect(t, do(h, "GET", "/a"), StatusMiss, "call 3")
	if err := c.PurgePrefix(t.Context(), "GET /"); !errors.Is(err, fail) {
		t.Errorf("PurgePrefix: %v", err)
	}
	if want := []string{"get", "get", "purge"}; strings.Join(ops, " ") != strings.Join(want, " ") {
		t.Errorf("reported %v, want %v", ops, want)
	}
}
