package gatewaytest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/gatewaykit/gateway/gatewaytest"
)

// TestHTTPClientUsesClientSettings checks that requests sent through
// Client.HTTPClient carry the client's default headers, caller address and
// Host, as requests sent with Client.Do do.
func TestHTTPClientUsesClientSettings(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"remote": r.RemoteAddr, "host": r.Host, "t": r.Header.Get("X-T")})
	})
	tests := []struct {
		name             string
		setup            func(*gatewaytest.Client)
		header           string
		wantRemote, want string
		wantHost         string
	}{
		{"defaults", func(*gatewaytest.Client) {}, "", "192.0.2.1:1234", "", "api.test"},
		{"client settings", func(c *gatewaytest.Client) {
			c.RemoteAddr, c.Host = "10.0.0.1:5", "gw.example"
			c.Header.Set("X-T", "default")
		}, "", "10.0.0.1:5", "default", "gw.example"},
		{"request header wins", func(c *gatewaytest.Client) { c.Header.Set("X-T", "default") }, "mine", "192.0.2.1:1234", "mine", "api.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := gatewaytest.NewClient(t, h)
			tt.setup(c)
			req, _ := http.NewRequest("GET", "http://api.test/x", nil)
			if tt.header != "" {
				req.Header.Set("X-T", tt.header)
			}
			res, err := c.HTTPClient().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var got map[string]string
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil {
				t.Fatal(err)
			}
			if got["remote"] != tt.wantRemote || got["t"] != tt.want || got["host"] != tt.wantHost {
				t.Fatalf("handler saw %v", got)
			}
			if req.Header.Get("X-T") != tt.header {
				t.Fatal("the caller's request was modified")
			}
		})
	}
}
