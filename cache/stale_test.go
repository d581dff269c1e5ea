package cache

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

// flaky is an origin that fails with status while failing is set.
func flaky(failing *bool, status int, header ...string) *origin {
	return &origin{respond: func(w http.ResponseWriter, r *http.Request, n int64) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if *failing {
			w.WriteHeader(status)
			_, _ = w.Write([]byte("upstream error " + strconv.FormatInt(n, 10)))
			return
		}
		_, _ = w.Write([]byte("fresh " + strconv.FormatInt(n, 10)))
	}}
}

func TestStaleIfError(t *testing.T) {
	c, clk := newTestCache(t, TTL(10*time.Second), StaleIfError(time.Minute))
	failing := false
	h := c.Handler(flaky(&failing, http.StatusBadGateway))
	get := func(header ...string) (*httptest.ResponseRecorder, string) {
		r := req("GET", "/s", header...)()
		info := &reqctx.Info{}
		rec := serve(h, r.WithContext(reqctx.With(r.Context(), info)))
		return rec, info.CacheStatus
	}
	rec, _ := get()
	expect(t, rec, StatusMiss, "fresh 1")

	clk.Advance(15 * time.Second)
	failing = true
	rec, status := get()
	if rec.Code != 200 || rec.Header().Get("Age") != "15" || status != "stale" {
		t.Errorf("stale answer: %d, Age %q, CacheStatus %q", rec.Code, rec.Header().Get("Age"), status)
	}
	expect(t, rec, StatusStale, "fresh 1")
	rec, _ = get("If-None-Match", `"x"`)
	expect(t, rec, StatusStale, "fresh 1")

	failing = false
	rec, _ = get()
	expect(t, rec, StatusMiss, "fresh 4")
	rec, _ = get()
	expect(t, rec, StatusHit, "fresh 4")

	// Past the stale window, the error goes through.
	clk.Advance(71 * time.Second)
	failing = true
	if rec, _ = get(); rec.Code != http.StatusBadGateway {
		t.Errorf("past the window: %d %q", rec.Code, rec.Body)
	}
}

func TestStaleIfErrorLimits(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		status int
		header []string
	}{
		{"off by default", nil, 503, nil},
		{"4xx is an answer", []Option{StaleIfError(time.Minute)}, 404, nil},
		{"must-revalidate", []Option{StaleIfError(time.Minute)}, 503, []string{"Cache-Control", "must-revalidate"}},
		{"proxy-revalidate", []Option{StaleIfError(time.Minute)}, 503, []string{"Cache-Control", "proxy-revalidate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, clk := newTestCache(t, append([]Option{TTL(10 * time.Second)}, tt.opts...)...)
			failing := false
			h := c.Handler(flaky(&failing, tt.status, tt.header...))
			expect(t, do(h, "GET", "/s"), StatusMiss, "fresh 1")
			clk.Advance(11 * time.Second)
			failing = true
			rec := do(h, "GET", "/s")
			if rec.Code != tt.status || !strings.HasPrefix(rec.Body.String(), "upstream error") {
				t.Errorf("got %d %q, want the upstream's %d", rec.Code, rec.Body, tt.status)
			}
		})
	}
	if _, err := New(StaleIfError(25 * time.Hour)); err == nil {
		t.Error("StaleIfError above the maximum accepted")
	}
}

func TestStaleIfErrorCoalesced(t *testing.T) {
	c, clk := newTestCache(t, TTL(10*time.Second), StaleIfError(time.Minute))
	now := clk.Now()
	key, _ := c.Key(req("GET", "/s")())
	stale := NewEntry(200, http.Header{"Content-Type": {"text/plain"}}, []byte("stored"), now.Add(-20*time.Second), now.Add(-10*time.Second))
	if err := c.store.Set(t.Context(), key, stale, time.Minute); err != nil {
		t.Fatal(err)
	}
	g := newGated(func(w http.ResponseWriter, r *http.Request, n int64) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	recs := race(t, c.Handler(g), req("GET", "/s")(), req("GET", "/s")(), req("GET", "/s")())
	for _, rec := range recs {
		expect(t, rec, StatusStale, "stored")
		if rec.Header().Get("Age") != "20" {
			t.Errorf("Age %q", rec.Header().Get("Age"))
		}
	}
	if n := g.calls.Load(); n != 1 {
		t.Errorf("origin calls = %d, want 1", n)
	}
}
