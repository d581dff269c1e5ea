package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway"
)

// A handler that flushed before writing has sent a 200 header: a panic,
// or a body over the limit, must not be answered with a problem written
// into that response.
func TestFlushedResponseIsStarted(t *testing.T) {
	gw := gateway.New(quiet, gateway.Timeout(0), gateway.MaxBodyBytes(4))
	gw.GET("/panic").HandleFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.(http.Flusher).Flush()
		panic("boom")
	})
	gw.POST("/big").HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		http.NewResponseController(w).Flush()
		_, _ = r.Body.Read(make([]byte, 64))
	})
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		req       *http.Request
		wantAbort bool
	}{
		{"panic after flush", httptest.NewRequest("GET", "/panic", nil), true},
		{"body over the limit after flush", httptest.NewRequest("POST", "/big", strings.NewReader("0123456789")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.ContentLength = -1 // chunked: the limit is found while reading
			rec := httptest.NewRecorder()
			func() {
				defer func() {
					if v := recover(); (v == http.ErrAbortHandler) != tt.wantAbort {
						t.Errorf("recovered %v, want abort %v", v, tt.wantAbort)
					}
				}()
				gw.ServeHTTP(rec, tt.req)
			}()
			if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
				t.Fatalf("status %d body %q, want the flushed 200 and nothing after it", rec.Code, rec.Body)
			}
		})
	}
}

func TestMockRejectsMalformedHeaders(t *testing.T) {
	tests := []struct{ name, value string }{
		{"X(Bad", "v"},
		{"X Bad", "v"},
		{"X-Bad\u00e9", "v"},
		{"X-Ok", "a\x00b"},
		{"X-Ok", "a\x7fb"},
		{"X-Ok", "a\rb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := gateway.New(quiet)
			gw.GET("/m").Mock(http.StatusOK, "x", tt.name, tt.value)
			if err := gw.Build(); err == nil || !strings.Contains(err.Error(), "malformed") {
				t.Fatalf("Build() = %v, want a malformed header error", err)
			}
		})
	}
	gw := gateway.New(quiet)
	gw.GET("/m").Mock(http.StatusOK, "x", "X-Ok", "a\tb c")
	if err := gw.Build(); err != nil {
		t.Fatalf("a tab and spaces are valid in a value: %v", err)
	}
}

// Route paths and group prefixes start with "/": one without it must not
// be glued to the previous segment ("/v1users"), and ':' or '*' inside a
// segment must not silently become a parameter ("/things:batch" matching
// "/thingsXYZ").
func TestRoutePathMistakesFailBuild(t *testing.T) {
	tests := []struct {
		name    string
		declare func(gw *gateway.Gateway)
	}{
		{"route path without slash", func(gw *gateway.Gateway) { gw.Group("/v1").GET("users").Mock(200, "x") }},
		{"group prefix without slash", func(gw *gateway.Gateway) {
			gw.Group("/v1").Group("api").GET("/users").Mock(200, "x")
		}},
		{"colon inside a segment", func(gw *gateway.Gateway) { gw.POST("/v1/things:batchGet").Mock(200, "x") }},
		{"star inside a segment", func(gw *gateway.Gateway) { gw.GET("/files/a*rest").Mock(200, "x") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gw := gateway.New(quiet)
			tt.declare(gw)
			if err := gw.Build(); err == nil {
				t.Fatal("Build() = nil, want an error")
			}
		})
	}
	gw := gateway.New(quiet)
	v1 := gw.Group("/v1")
	v1.GET("").Mock(200, "root")
	v1.Group("/api/").GET("/users/:id").Mock(200, "user")
	v1.GET("/files/*rest").Mock(200, "file")
	if err := gw.Build(); err != nil {
		t.Fatalf("valid paths: %v", err)
	}
}
