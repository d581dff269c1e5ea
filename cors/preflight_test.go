package cors

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPreflightAnswerHoldsForBrowsers checks every 204 answer to a
// preflight the way a browser does (Fetch, CORS-preflight fetch): each
// name in Access-Control-Request-Headers must be listed in
// Access-Control-Allow-Headers (or "*" without credentials). Browsers list
// only CORS-unsafe request headers there, so Content-Type appears exactly
// when its value is not safelisted (application/json): a policy that did
// not list it must refuse it, not answer 204 with a list the browser then
// rejects.
func TestPreflightAnswerHoldsForBrowsers(t *testing.T) {
	narrow, err := New(Origins("https://app.example.com"), Headers("Authorization"), Credentials())
	if err != nil {
		t.Fatal(err)
	}
	defaults, err := New(Origins("https://app.example.com"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		c          *CORS
		reqHeaders string
		wantStatus int
	}{
		{"configured header", narrow, "authorization", http.StatusNoContent},
		{"JSON content type not configured", narrow, "authorization, content-type", http.StatusForbidden},
		{"long Accept not configured", narrow, "accept", http.StatusForbidden},
		{"JSON content type in the defaults", defaults, "content-type, authorization", http.StatusNoContent},
		{"Accept-Language in the defaults", defaults, "accept-language", http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodOptions, "/", nil)
			req.Header.Set("Origin", "https://app.example.com")
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", tt.reqHeaders)
			rec := httptest.NewRecorder()
			tt.c.Handler(upstream).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d; Access-Control-Allow-Headers %q", rec.Code, tt.wantStatus,
					rec.Header().Get("Access-Control-Allow-Headers"))
			}
			if rec.Code != http.StatusNoContent {
				return
			}
			allowed := strings.Split(strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")), ",")
			for i := range allowed {
				allowed[i] = strings.TrimSpace(allowed[i])
			}
			for _, name := range strings.Split(tt.reqHeaders, ",") {
				name = strings.ToLower(strings.TrimSpace(name))
				found := false
				for _, a := range allowed {
					found = found || a == name
				}
				if !found {
					t.Errorf("204, but %q is not in Access-Control-Allow-Headers %q: the browser fails the preflight",
						name, rec.Header().Get("Access-Control-Allow-Headers"))
				}
			}
		})
	}
}
