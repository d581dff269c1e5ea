package cache_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/gatewaytest"
	"github.com/gatewaykit/gateway/internal/testclock"
)

// TestAuthorizedRefreshThroughGateway checks that an authorized
// Cache-Control: max-age=0 invalidates what the cache holds for the
// resource: every variant of it, and the entry itself when the fresh
// response may not be stored.
func TestAuthorizedRefreshThroughGateway(t *testing.T) {
	tests := []struct {
		name string
		// refresh is the response the upstream gives on and after the
		// refresh; version is the body it answers with.
		refresh func(w http.ResponseWriter, r *http.Request, version string)
		// other is a request header of a client that did not refresh.
		other []string
		// want is the status and body that client then gets.
		wantStatus int
		wantBody   string
	}{
		{
			name: "other variant",
			refresh: func(w http.ResponseWriter, r *http.Request, version string) {
				w.Header().Set("Vary", "Accept-Language")
				_, _ = io.WriteString(w, version+" "+r.Header.Get("Accept-Language"))
			},
			other:      []string{"Accept-Language", "de"},
			wantStatus: 200,
			wantBody:   "v2 de",
		},
		{
			name: "not storable any more",
			refresh: func(w http.ResponseWriter, r *http.Request, version string) {
				w.Header().Set("Cache-Control", "no-store")
				_, _ = io.WriteString(w, version)
			},
			wantStatus: 200,
			wantBody:   "v2",
		},
		{
			name: "gone",
			refresh: func(w http.ResponseWriter, r *http.Request, version string) {
				http.NotFound(w, r)
			},
			wantStatus: 404,
			wantBody:   "404 page not found\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var version atomic.Int64
			version.Store(1)
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				v := fmt.Sprintf("v%d", version.Load())
				if version.Load() > 1 {
					tt.refresh(w, r, v)
					return
				}
				w.Header().Set("Vary", "Accept-Language")
				_, _ = io.WriteString(w, v+" "+r.Header.Get("Accept-Language"))
			}))
			defer up.Close()
			clk := testclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			c, err := cache.New(cache.Now(clk.Now), cache.Invalidation(func(r *http.Request) bool {
				return r.Header.Get("X-Admin") == "yes"
			}, cache.RejectUnauthorized))
			if err != nil {
				t.Fatal(err)
			}
			gw := gateway.New()
			gw.OnClose(c.Close)
			defer gw.Close()
			gw.GET("/doc").Use(c.Handler).Proxy(gw.Upstream("up", up.URL), "/doc")
			if err := gw.Build(); err != nil {
				t.Fatal(err)
			}
			client := gatewaytest.NewClient(t, gw)

			// Two variants are stored, the German one first.
			for _, lang := range []string{"de", "en", "de", "en"} {
				client.Get("/doc", "Accept-Language", lang).ExpectStatus(200)
			}
			if r := client.Get("/doc", "Accept-Language", "de"); r.Header.Get("X-Cache") != "Hit" || string(r.Body) != "v1 de" {
				t.Fatalf("before refresh: X-Cache %q body %q", r.Header.Get("X-Cache"), r.Body)
			}
			version.Store(2)
			r := client.Get("/doc", "Accept-Language", "en", "Cache-Control", "max-age=0", "X-Admin", "yes")
			if r.Header.Get("X-Cache") != "Miss" {
				t.Fatalf("refresh: X-Cache %q", r.Header.Get("X-Cache"))
			}
			other := tt.other
			if other == nil {
				other = []string{"Accept-Language", "en"}
			}
			r = client.Get("/doc", other...)
			if r.Status != tt.wantStatus || string(r.Body) != tt.wantBody {
				t.Errorf("after refresh: status %d X-Cache %q body %q, want %d %q",
					r.Status, r.Header.Get("X-Cache"), r.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}
