package problem

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

var errCause = errors.New("dial tcp 10.0.0.5:8080: connection refused")

func TestRender(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		method     string
		wantStatus int
		wantTitle  string
		wantDetail string
		wantHeader map[string]string
	}{
		{"problem", New(404, "No route matches."), "GET", 404, "Not Found", "No route matches.", nil},
		{"headers", New(429, "slow down").WithHeader("Retry-After", "3"), "GET", 429, "Too Many Requests", "slow down", map[string]string{"Retry-After": "3"}},
		{"wrapped", fmt.Errorf("outer: %w", Wrap(errCause, 502, "The upstream failed.")), "GET", 502, "Bad Gateway", "The upstream failed.", nil},
		{"plain error hides text", errCause, "GET", 500, "Internal Server Error", "The gateway could not complete the request.", nil},
		{"custom title", &Problem{Status: 403, Title: "Quota exceeded", Type: "https://example.com/quota"}, "GET", 403, "Quota exceeded", "", nil},
		{"invalid status", &Problem{Status: 200}, "GET", 500, "Internal Server Error", "The gateway could not complete the request.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(tt.method, "/x", nil)
			rec.Header().Set("ETag", `"stale"`)
			DefaultErrorHandler(rec, r, tt.err)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if ct := rec.Header().Get("Content-Type"); ct != ContentType {
				t.Fatalf("Content-Type %q", ct)
			}
			if rec.Header().Get("ETag") != "" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("cache headers not reset: %v", rec.Header())
			}
			for k, v := range tt.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("body is not JSON: %v: %s", err, rec.Body)
			}
			if doc["title"] != tt.wantTitle || doc["status"] != float64(tt.wantStatus) {
				t.Errorf("doc = %v", doc)
			}
			if d, _ := doc["detail"].(string); d != tt.wantDetail {
				t.Errorf("detail = %q, want %q", d, tt.wantDetail)
			}
			if got := rec.Body.String(); strings.Contains(got, "10.0.0.5") {
				t.Errorf("body leaks the cause: %s", got)
			}
		})
	}
}

func TestRenderExtensionsAndRequestID(t *testing.T) {
	p := New(400, "bad").WithExtension("errors", []string{"a"}).WithExtension("status", 999)
	r := httptest.NewRequest("GET", "/", nil)
	r = r.WithContext(reqctx.With(r.Context(), &reqctx.Info{RequestID: "rid-1"}))
	rec := httptest.NewRecorder()
	Render(rec, r, p)
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["status"] != float64(400) {
		t.Errorf("extension overrode status: %v", doc["status"])
	}
	if doc["request_id"] != "rid-1" {
		t.Errorf("request_id = %v", doc["request_id"])
	}
	if fmt.Sprint(doc["errors"]) != "[a]" {
		t.Errorf("errors = %v", doc["errors"])
	}
}

func TestRenderHead(t *testing.T) {
	rec := httptest.NewRecorder()
	Render(rec, httptest.NewRequest("HEAD", "/", nil), New(404, "x"))
	if rec.Body.Len() != 0 || rec.Code != 404 {
		t.Fatalf("HEAD got %d %q", rec.Code, rec.Body)
	}
}

func TestErrorUsesContextHandler(t *testing.T) {
	var got error
	info := &reqctx.Info{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}}
	r := httptest.NewRequest("GET", "/", nil).WithContext(reqctx.With(context.Background(), info))
	rec := httptest.NewRecorder()
	Status(rec, r, 404, "nope")
	if rec.Code != http.StatusTeapot || From(got).Status != 404 {
		t.Fatalf("custom handler not used: %d %v", rec.Code, got)
	}
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("ctx: %w", Wrap(errCause, 502, ""))
	if !errors.Is(err, errCause) {
		t.Fatal("cause not reachable")
	}
	if From(nil) != nil {
		t.Fatal("From(nil) must be nil")
	}
	if s := Wrap(errCause, 502, "d").Error(); s != "502 Bad Gateway: d: "+errCause.Error() {
		t.Fatalf("Error() = %q", s)
	}
}
