package cache

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
	"github.com/gatewaykit/gateway/problem"
)

func TestClientInvalidation(t *testing.T) {
	admin := func(r *http.Request) bool { return r.Header.Get("X-Admin") == "yes" }
	tests := []struct {
		name       string
		opts       []Option
		req        []string
		wantStatus int
		wantCache  string
		wantBody   string
		wantHeader string // HeaderInvalidation
	}{
		{"default ignores", nil, []string{"Cache-Control", "max-age=0"}, 200, StatusHit, "call 1", "ignored"},
		{"pragma ignored", nil, []string{"Pragma", "no-cache"}, 200, StatusHit, "call 1", "ignored"},
		{"authorized refreshes", []Option{Invalidation(admin, RejectUnauthorized)}, []string{"Cache-Control", "max-age=0", "X-Admin", "yes"}, 200, StatusMiss, "call 2", ""},
		{"authorized no-cache", []Option{Invalidation(admin, IgnoreUnauthorized)}, []string{"Cache-Control", "no-cache", "X-Admin", "yes"}, 200, StatusMiss, "call 2", ""},
		{"unauthorized rejected", []Option{Invalidation(admin, RejectUnauthorized)}, []string{"Cache-Control", "max-age=0"}, 403, "", "", ""},
		{"unauthorized ignored", []Option{Invalidation(admin, IgnoreUnauthorized)}, []string{"Cache-Control", "max-age=0"}, 200, StatusHit, "call 1", "ignored"},
		{"max-age above zero is no request", []Option{Invalidation(admin, RejectUnauthorized)}, []string{"Cache-Control", "max-age=5"}, 200, StatusHit, "call 1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestCache(t, tt.opts...)
			h := c.Handler(&origin{})
			do(h, "GET", "/i")
			rec := do(h, "GET", "/i", tt.req...)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get(HeaderInvalidation); got != tt.wantHeader {
				t.Errorf("%s = %q, want %q", HeaderInvalidation, got, tt.wantHeader)
			}
			if tt.wantStatus == 403 {
				var doc map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc["status"] != float64(403) {
					t.Errorf("not a problem document: %s", rec.Body)
				}
				return
			}
			expect(t, rec, tt.wantCache, tt.wantBody)
			expect(t, do(h, "GET", "/i"), StatusHit, tt.wantBody)
		})
	}
}

// TestCredentialedInvalidationRefreshesSharedEntry checks that an
// authorized refresh from a caller who presents credentials, as callers
// authorized to invalidate do, reaches the entry anonymous callers are
// served, not only the entries of requests with credentials.
func TestCredentialedInvalidationRefreshesSharedEntry(t *testing.T) {
	editor := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer editor" }
	c, _ := newTestCache(t, Invalidation(editor, RejectUnauthorized))
	h := c.Handler(&origin{})
	expect(t, do(h, "GET", "/i"), StatusMiss, "call 1")
	expect(t, do(h, "GET", "/i"), StatusHit, "call 1")
	expect(t, do(h, "GET", "/i", "Cache-Control", "max-age=0", "Authorization", "Bearer editor"), StatusMiss, "call 2")
	expect(t, do(h, "GET", "/i"), StatusMiss, "call 3")
	expect(t, do(h, "GET", "/i"), StatusHit, "call 3")
}

func TestInvalidationErrorHandler(t *testing.T) {
	var got error
	c, _ := newTestCache(t, Invalidation(nil, RejectUnauthorized), ErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}))
	rec := do(c.Handler(&origin{}), "GET", "/i", "Cache-Control", "max-age=0")
	if rec.Code != http.StatusTeapot || !errors.Is(got, ErrInvalidationDenied) || problem.From(got).Status != 403 {
		t.Fatalf("status %d, err %v", rec.Code, got)
	}
}

func TestPurge(t *testing.T) {
	c, _ := newTestCache(t, KeyQuery("v"))
	h := c.Handler(&origin{})
	paths := []string{"/users/1", "/users/1?v=2", "/users/2", "/orders/1"}
	fill := func() {
		for _, p := range paths {
			do(h, "GET", p)
		}
	}
	hits := func() (n int) {
		for _, p := range paths {
			if do(h, "GET", p).Header().Get(HeaderXCache) == StatusHit {
				n++
			}
		}
		return n
	}
	ctx := context.Background()
	fill()
	key, ok := c.Key(httpRequest("GET", "/users/1?v=2"))
	if !ok {
		t.Fatal("no key")
	}
	if err := c.Purge(ctx, key); err != nil {
		t.Fatal(err)
	}
	if n := hits(); n != 3 {
		t.Errorf("after Purge %d hits, want 3", n)
	}
	if err := c.PurgePath(ctx, "HEAD", "/users/1"); err != nil {
		t.Fatal(err)
	}
	if n := hits(); n != 2 {
		t.Errorf("after PurgePath %d hits, want 2", n)
	}
	if err := c.PurgePrefix(ctx, "GET /users/"); err != nil {
		t.Fatal(err)
	}
	if n := hits(); n != 1 {
		t.Errorf("after PurgePrefix %d hits, want 1", n)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := hits(); n != 0 {
		t.Errorf("after Flush %d hits", n)
	}
}

func TestUnsafeMethodInvalidatesPath(t *testing.T) {
	c, _ := newTestCache(t, KeyQuery("v"))
	status := http.StatusOK
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(status)
			return
		}
		_, _ = w.Write([]byte("state"))
	}))
	do(h, "GET", "/doc?v=1")
	do(h, "GET", "/doc/child")
	status = http.StatusConflict
	do(h, "PUT", "/doc")
	expect(t, do(h, "GET", "/doc?v=1"), StatusHit, "state")
	status = http.StatusNoContent
	do(h, "DELETE", "/doc")
	expect(t, do(h, "GET", "/doc?v=1"), StatusMiss, "state")
	expect(t, do(h, "GET", "/doc/child"), StatusHit, "state")
}

func httpRequest(method, target string) *http.Request {
	r, err := http.NewRequest(method, "http://example.com"+target, nil)
	if err != nil {
		panic(err)
	}
	r.Host = "example.com"
	return r
}

func TestHasScope(t *testing.T) {
	// Every caller of the route is authenticated and the route's
	// responses are shared among them.
	c, _ := newTestCache(t, ShareAuthorized(), Invalidation(HasScope("cache:invalidate"), RejectUnauthorized))
	h := c.Handler(&origin{})
	as := func(refresh bool, scopes ...string) *http.Request {
		r := httpRequest("GET", "/s")
		if refresh {
			r.Header.Set("Cache-Control", "max-age=0")
		}
		return r.WithContext(reqctx.WithPrincipal(r.Context(), &reqctx.Principal{ID: "u", Scopes: scopes}))
	}
	expect(t, serve(h, as(false, "read")), StatusMiss, "call 1")
	if rec := serve(h, as(true, "read")); rec.Code != http.StatusForbidden {
		t.Errorf("without the scope: %d", rec.Code)
	}
	expect(t, serve(h, as(false, "read")), StatusHit, "call 1")
	expect(t, serve(h, as(true, "read", "cache:invalidate")), StatusMiss, "call 2")
	expect(t, serve(h, as(false, "read")), StatusHit, "call 2")
}

func TestRouteErrorHandler(t *testing.T) {
	c, _ := newTestCache(t, Invalidation(nil, RejectUnauthorized))
	var got error
	h := c.Middleware(ErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}))(&origin{})
	if rec := do(h, "GET", "/e", "Cache-Control", "max-age=0"); rec.Code != http.StatusTeapot || !errors.Is(got, ErrInvalidationDenied) {
		t.Fatalf("status %d, err %v", rec.Code, got)
	}
}

// TestUnsafeMethodWhoseClientLeftInvalidates checks that a write whose
// client hung up before it was answered still removes the entries of its
// path: the reverse proxy then writes nothing, but the upstream may have
// made the change.
func TestUnsafeMethodWhoseClientLeftInvalidates(t *testing.T) {
	c, _ := newTestCache(t)
	version := 0
	h := c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			version++
			if r.Context().Err() != nil {
				return // as the reverse proxy does for a client that has gone
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = w.Write([]byte("v" + strconv.Itoa(version)))
	}))
	expect(t, do(h, "GET", "/doc"), StatusMiss, "v0")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	serve(h, httptest.NewRequest("PUT", "/doc", nil).WithContext(ctx))
	expect(t, do(h, "GET", "/doc"), StatusMiss, "v1")
}
