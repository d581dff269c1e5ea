package aggregate_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatewaykit/gateway/aggregate"
	"github.com/gatewaykit/gateway/breaker"
	"github.com/gatewaykit/gateway/proxy"
)

func TestOpenBreaker(t *testing.T) {
	srv := httptest.NewServer(fixed(500, `{}`))
	defer srv.Close()
	tr := proxy.NewTransport()
	defer tr.CloseIdleConnections()
	up, err := proxy.NewUpstream("flaky", []string{srv.URL}, proxy.WithTransport(tr),
		proxy.WithBreaker(breaker.Settings{ConsecutiveFailures: 1}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	a := aggregate.New(aggregate.Call(up, "/").Group("flaky"), aggregate.ErrorsField("_errors"))
	if rec, _ := serve(a, "/x"); rec.Code != http.StatusBadGateway {
		t.Fatalf("first call: %d", rec.Code)
	}
	rec, info := serve(a, "/x")
	if rec.Code != http.StatusServiceUnavailable || info.ErrorType != "CIRCUIT_OPEN" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("with the breaker open: %d %q %s", rec.Code, info.ErrorType, rec.Body)
	}
	if p := problemOf(t, rec); p["legs"].(map[string]any)["flaky"] != "circuit open" {
		t.Fatalf("problem %v", p)
	}
}

func TestHeadRequest(t *testing.T) {
	a := aggregate.New(aggregate.Call(backend(t, fixed(200, `{"a":1}`)), "/").Group("a"))
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/x", nil))
	if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "13" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

// TestBackendUnavailable checks that a required leg whose backend answers
// 503 makes the aggregate answer 503 with the backend's Retry-After, so
// clients back off as the backend asked instead of retrying at once.
func TestBackendUnavailable(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		want       string
	}{
		{"with Retry-After", "30", "30"},
		{"with a date", "Wed, 21 Oct 2037 07:28:00 GMT", "Wed, 21 Oct 2037 07:28:00 GMT"},
		{"without Retry-After", "", ""},
		{"with an invalid Retry-After", "soon", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			down := backend(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			a := aggregate.New(aggregate.Call(backend(t, fixed(200, `{}`)), "/").Group("ok"), aggregate.Call(down, "/").Group("down"))
			rec, info := serve(a, "/x")
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != tt.want || info.ErrorType != "INTEGRATION_FAILURE" {
				t.Fatalf("%d, Retry-After %q, %q: %s", rec.Code, rec.Header().Get("Retry-After"), info.ErrorType, rec.Body)
			}
			problemOf(t, rec)
		})
	}
}
