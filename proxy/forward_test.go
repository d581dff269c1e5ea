package proxy

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestForwardingHeaders(t *testing.T) {
	spoofed := map[string]string{
		"X-Forwarded-For":    "6.6.6.6",
		"X-Forwarded-Host":   "evil.example",
		"X-Forwarded-Proto":  "https",
		"X-Forwarded-Port":   "443",
		"X-Forwarded-Prefix": "/admin",
		"X-Real-Ip":          "6.6.6.6",
		"Forwarded":          "for=6.6.6.6;proto=https",
	}
	tests := []struct {
		name    string
		info    *reqctx.Info
		inbound map[string]string
		want    map[string]string // "" means absent; HOST is replaced by the proxy's host
	}{
		{
			name:    "untrusted peer cannot spoof",
			info:    &reqctx.Info{RequestID: "rid-7"},
			inbound: spoofed,
			want: map[string]string{
				"X-Forwarded-For":    "127.0.0.1",
				"X-Forwarded-Host":   "HOST",
				"X-Forwarded-Proto":  "http",
				"Forwarded":          `for=127.0.0.1;host="HOST";proto=http`,
				"X-Forwarded-Port":   "",
				"X-Forwarded-Prefix": "",
				"X-Real-Ip":          "",
				"X-Request-Id":       "rid-7",
			},
		},
		{
			name:    "outside a gateway nothing is trusted",
			inbound: spoofed,
			want: map[string]string{
				"X-Forwarded-For":   "127.0.0.1",
				"X-Forwarded-Host":  "HOST",
				"X-Forwarded-Proto": "http",
				"Forwarded":         `for=127.0.0.1;host="HOST";proto=http`,
				"X-Real-Ip":         "",
			},
		},
		{
			name: "trusted peer chain kept",
			info: &reqctx.Info{PeerTrusted: true, RequestID: "rid-8"},
			inbound: map[string]string{
				"X-Forwarded-For":   "203.0.113.9, 10.0.0.2",
				"X-Forwarded-Host":  "api.example.com",
				"X-Forwarded-Proto": "https",
				"X-Forwarded-Port":  "443",
				"Forwarded":         "for=203.0.113.9;proto=https",
			},
			want: map[string]string{
				"X-Forwarded-For":   "203.0.113.9, 10.0.0.2, 127.0.0.1",
				"X-Forwarded-Host":  "api.example.com",
				"X-Forwarded-Proto": "https",
				"X-Forwarded-Port":  "443",
				"Forwarded":         `for=203.0.113.9;proto=https, for=127.0.0.1;host="HOST";proto=http`,
				"X-Request-Id":      "rid-8",
			},
		},
		{
			// CGI, WSGI and Rack servers read X_Forwarded_For as
			// X-Forwarded-For: whatever the peer, it cannot stand in for
			// the headers the proxy sets.
			name: "underscore spellings dropped",
			info: &reqctx.Info{PeerTrusted: true, RequestID: "rid-9"},
			inbound: map[string]string{
				"X_Forwarded_For": "6.6.6.6", "x_forwarded_host": "evil.example", "X_FORWARDED_PROTO": "https",
				"X_Real_Ip": "6.6.6.6", "X_Request_Id": "forged", "X_Custom": "kept",
			},
			want: map[string]string{
				"X-Forwarded-For":   "127.0.0.1",
				"X_Forwarded_For":   "",
				"X_Forwarded_Host":  "",
				"X_Forwarded_Proto": "",
				"X_Real_Ip":         "",
				"X_Request_Id":      "",
				"X-Request-Id":      "rid-9",
				"X_Custom":          "kept",
			},
		},
		{
			name: "trusted peer without a chain",
			info: &reqctx.Info{PeerTrusted: true},
			want: map[string]string{
				"X-Forwarded-For":   "127.0.0.1",
				"X-Forwarded-Host":  "HOST",
				"X-Forwarded-Proto": "http",
				"Forwarded":         `for=127.0.0.1;host="HOST";proto=http`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := echoUpstream(t, "u")
			p := mustProxy(t, up.URL, "", nil)
			srv := front(t, p, tt.info)
			host := strings.TrimPrefix(srv.URL, "http://")
			req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
			for k, v := range tt.inbound {
				req.Header.Set(k, v)
			}
			_, s := do(t, req)
			for k, v := range tt.want {
				v = strings.ReplaceAll(v, "HOST", host)
				if got := strings.Join(s.Header.Values(k), ", "); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestSetForwarding(t *testing.T) {
	tests := []struct {
		name, remote, host string
		tls                bool
		wantXFF, wantFwd   string
	}{
		{"ipv4", "192.0.2.1:5678", "api.example.com", false, "192.0.2.1", "for=192.0.2.1;host=api.example.com;proto=http"},
		{"ipv6", "[2001:db8::1]:5678", "api.example.com", true, "2001:db8::1", `for="[2001:db8::1]";host=api.example.com;proto=https`},
		{"ipv4-mapped", "[::ffff:192.0.2.7]:80", "h", false, "192.0.2.7", "for=192.0.2.7;host=h;proto=http"},
		{"host with port", "192.0.2.1:1", "api.example.com:8443", false, "192.0.2.1", `for=192.0.2.1;host="api.example.com:8443";proto=http`},
		{"hostile host", "192.0.2.1:1", `a"b\c`, false, "192.0.2.1", `for=192.0.2.1;host="a\"b\\c";proto=http`},
		{"unknown peer", "pipe", "h", false, "", "for=unknown;host=h;proto=http"},
		{"no host", "192.0.2.1:1", "", false, "192.0.2.1", "for=192.0.2.1;proto=http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := httptest.NewRequest("GET", "/", nil)
			in.RemoteAddr, in.Host = tt.remote, tt.host
			if tt.tls {
				in.TLS = &tls.ConnectionState{}
			}
			out := http.Header{}
			setForwarding(in, out, nil)
			if got := out.Get("X-Forwarded-For"); got != tt.wantXFF {
				t.Errorf("X-Forwarded-For %q, want %q", got, tt.wantXFF)
			}
			if got := out.Get("Forwarded"); got != tt.wantFwd {
				t.Errorf("Forwarded %q, want %q", got, tt.wantFwd)
			}
		})
	}
}

func TestSetForwardingAllocs(t *testing.T) {
	in := httptest.NewRequest("GET", "/users/42", nil)
	in.RemoteAddr = "192.0.2.1:5678"
	info := &reqctx.Info{RequestID: "abc-1"}
	out := http.Header{}
	allocs := testing.AllocsPerRun(100, func() { setForwarding(in, out, info) })
	if allocs > 2 {
		t.Fatalf("%v allocations setting forwarding headers, want at most 2", allocs)
	}
}
