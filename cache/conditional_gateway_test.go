package cache_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatewaykit/gateway"
	"github.com/gatewaykit/gateway/cache"
	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestConditionalWithoutValidatorsThroughGateway checks the conditions a
// stored response without ETag or Last-Modified can still answer (RFC
// 9110, section 13.1.2; RFC 9111, section 4.3.2): If-None-Match: * matches
// any current representation, and If-Modified-Since is compared with the
// response's Date.
func TestConditionalWithoutValidatorsThroughGateway(t *testing.T) {
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", date.Format(http.TimeFormat))
		_, _ = io.WriteString(w, "body")
	}))
	defer up.Close()
	c, err := cache.New()
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New()
	gw.OnClose(c.Close)
	defer gw.Close()
	gw.GET("/plain").Use(c.Handler).Proxy(gw.Upstream("up", up.URL), "/plain")
	if err := gw.Build(); err != nil {
		t.Fatal(err)
	}
	client := gatewaytest.NewClient(t, gw)
	client.Get("/plain").ExpectStatus(200)

	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"star", []string{"If-None-Match", "*"}, 304},
		{"star in a list", []string{"If-None-Match", `"a", *`}, 304},
		{"entity-tag", []string{"If-None-Match", `"a"`}, 200},
		{"since the date", []string{"If-Modified-Since", date.Format(http.TimeFormat)}, 304},
		{"since later", []string{"If-Modified-Since", date.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{"since earlier", []string{"If-Modified-Since", date.Add(-time.Second).Format(http.TimeFormat)}, 200},
		{"if-none-match wins", []string{"If-None-Match", `"a"`, "If-Modified-Since", date.Format(http.TimeFormat)}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := client.Get("/plain", tt.header...)
			if r.Status != tt.want || r.Header.Get("X-Cache") != "Hit" {
				t.Errorf("status %d X-Cache %q, want %d Hit", r.Status, r.Header.Get("X-Cache"), tt.want)
			}
			if tt.want == 304 && len(r.Body) != 0 {
				t.Errorf("304 with body %q", r.Body)
			}
		})
	}
}
