package clientip

import (
	"net/http/httptest"
	"testing"
)

func TestResolve(t *testing.T) {
	r, err := New("10.0.0.0/8", "192.168.1.1", "::ffff:172.16.0.0/108")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		remote      string
		xff         []string
		want        string
		wantTrusted bool
	}{
		{"untrusted peer ignores xff", "203.0.113.9:5000", []string{"1.2.3.4"}, "203.0.113.9", false},
		{"trusted peer, no xff", "10.1.2.3:5000", nil, "10.1.2.3", true},
		{"trusted peer, one hop", "10.1.2.3:5000", []string{"198.51.100.7"}, "198.51.100.7", true},
		{"spoofed left entries ignored", "10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7", true},
		{"chain of trusted proxies", "10.1.2.3:5000", []string{"198.51.100.7, 192.168.1.1", "10.9.9.9"}, "198.51.100.7", true},
		{"malformed entry stops", "10.1.2.3:5000", []string{"198.51.100.7, bogus, 10.0.0.2"}, "10.0.0.2", true},
		{"ipv6 peer", "[2001:db8::1]:443", []string{"1.2.3.4"}, "2001:db8::1", false},
		{"mapped ipv4", "[::ffff:10.0.0.1]:80", []string{"198.51.100.8"}, "198.51.100.8", true},
		{"bad remote", "garbage", nil, "invalid IP", false},
		{"entry with a port", "10.1.2.3:5000", []string{"198.51.100.7:5123"}, "198.51.100.7", true},
		{"ipv6 entry with a port", "10.1.2.3:5000", []string{"[2001:db8::7]:5123"}, "2001:db8::7", true},
		{"bracketed ipv6 entry", "10.1.2.3:5000", []string{"[2001:db8::7]"}, "2001:db8::7", true},
		{"bracketed ipv4 entry is malformed", "10.1.2.3:5000", []string{"[198.51.100.7]"}, "10.1.2.3", true},
		{"mapped trusted prefix", "172.16.5.5:80", []string{"198.51.100.9"}, "198.51.100.9", true},
		{"outside the mapped prefix", "172.32.5.5:80", []string{"198.51.100.9"}, "172.32.5.5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			got, trusted := r.Resolve(req)
			if got.String() != tt.want || trusted != tt.wantTrusted {
				t.Fatalf("Resolve = %v, %v; want %v, %v", got, trusted, tt.want, tt.wantTrusted)
			}
		})
	}
}

func TestResolveHops(t *testing.T) {
	tests := []struct {
		name string
		hops int
		xff  []string
		want string
	}{
		{"one proxy", 1, []string{"198.51.100.7"}, "198.51.100.7"},
		{"one proxy, spoofed entries", 1, []string{"6.6.6.6, 7.7.7.7, 198.51.100.7"}, "198.51.100.7"},
		{"two proxies", 2, []string{"198.51.100.7, 10.0.0.5"}, "198.51.100.7"},
		{"two proxies, spoofed, split headers", 2, []string{"6.6.6.6", "198.51.100.7", "10.0.0.5"}, "198.51.100.7"},
		{"shorter chain than configured", 3, []string{"198.51.100.7"}, "198.51.100.7"},
		{"no header", 1, nil, "203.0.113.9"},
		{"malformed entry stops", 2, []string{"198.51.100.7, bogus, 10.0.0.5"}, "10.0.0.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewHops(tt.hops)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = "203.0.113.9:5000"
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			got, trusted := r.Resolve(req)
			if got.String() != tt.want || !trusted {
				t.Fatalf("Resolve = %v, %v; want %v, true", got, trusted, tt.want)
			}
		})
	}
	for _, n := range []int{0, -1, 33} {
		if _, err := NewHops(n); err == nil {
			t.Errorf("NewHops(%d) accepted", n)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, s := range []string{"10.0.0.0/33", "not-an-ip", ""} {
		if _, err := New(s); err == nil {
			t.Errorf("New(%q) accepted", s)
		}
	}
	var zero *Resolver
	if zero.Trusts(Peer(httptest.NewRequest("GET", "/", nil))) {
		t.Error("nil resolver trusts")
	}
}

func FuzzResolve(f *testing.F) {
	r, _ := New("10.0.0.0/8")
	f.Add("10.0.0.1:1", "1.2.3.4, 10.0.0.2")
	f.Add("[::1]:1", ",,,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = remote
		req.Header.Set("X-Forwarded-For", xff)
		got, trusted := r.Resolve(req)
		if !trusted && got != Peer(req) {
			t.Fatalf("untrusted peer resolved to %v", got)
		}
	})
}
