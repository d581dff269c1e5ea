package ippolicy

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/gatewaykit/gateway/internal/reqctx"
)

func TestAllows(t *testing.T) {
	allowDeny, err := New(Allow("10.0.0.0/8", "192.0.2.7", "2001:db8::/32", "::ffff:198.51.100.0/120"), Deny("10.66.0.0/16", "2001:db8:bad::/48"))
	if err != nil {
		t.Fatal(err)
	}
	denyOnly, err := New(Deny("203.0.113.0/24", "::1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    *Policy
		addr string
		want bool
	}{
		{"allowed range", allowDeny, "10.1.2.3", true},
		{"hole in allowed range", allowDeny, "10.66.1.1", false},
		{"single address", allowDeny, "192.0.2.7", true},
		{"neighbour of single address", allowDeny, "192.0.2.8", false},
		{"outside", allowDeny, "8.8.8.8", false},
		{"ipv6 allowed", allowDeny, "2001:db8:1::5", true},
		{"ipv6 denied", allowDeny, "2001:db8:bad::5", false},
		{"mapped address", allowDeny, "::ffff:10.1.2.3", true},
		{"mapped prefix", allowDeny, "198.51.100.9", true},
		{"invalid address", allowDeny, "", false},
		{"deny only: other", denyOnly, "8.8.8.8", true},
		{"deny only: denied", denyOnly, "203.0.113.200", false},
		{"deny only: loopback v6", denyOnly, "::1", false},
		{"deny only: invalid", denyOnly, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a netip.Addr
			if tt.addr != "" {
				a = netip.MustParseAddr(tt.addr)
			}
			if got := tt.p.Allows(a); got != tt.want {
				t.Fatalf("Allows(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want string
	}{
		{nil, "no prefix"},
		{[]Option{Allow("10.0.0.0/33")}, `"10.0.0.0/33"`},
		{[]Option{Deny("example.com")}, `"example.com"`},
		{[]Option{Allow("fe80::1%eth0")}, "zones"},
		{[]Option{Allow("1.2.3.4", "bad1"), Deny("bad2")}, "bad2"},
	} {
		_, err := New(tc.opts...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New = %v, want mention of %s", err, tc.want)
		}
		h := Middleware(tc.opts...)(http.NotFoundHandler())
		if v, ok := h.(interface{ Validate() error }); !ok || v.Validate() == nil {
			t.Errorf("Middleware did not report %s through Validate", tc.want)
		}
	}
}

func TestHandler(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	tests := []struct {
		name     string
		h        http.Handler
		remote   string
		clientIP string // as resolved by a gateway; "" outside one
		xff      string
		want     int
	}{
		{"peer allowed", Only("10.0.0.0/8")(next), "10.0.0.1:1", "", "", http.StatusTeapot},
		{"peer denied", Only("10.0.0.0/8")(next), "192.0.2.1:1", "", "", http.StatusForbidden},
		{"forwarding header ignored outside a gateway", Only("10.0.0.0/8")(next), "192.0.2.1:1", "", "10.0.0.1", http.StatusForbidden},
		{"gateway-resolved address wins", Only("10.0.0.0/8")(next), "192.0.2.1:1", "10.9.9.9", "", http.StatusTeapot},
		{"gateway-resolved address denied", Block("198.51.100.0/24")(next), "10.0.0.1:1", "198.51.100.4", "", http.StatusForbidden},
		{"unparsable peer denied", Block("198.51.100.0/24")(next), "@", "", "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			info := &reqctx.Info{}
			if tt.clientIP != "" {
				info.ClientIP = netip.MustParseAddr(tt.clientIP)
				req = req.WithContext(reqctx.With(req.Context(), info))
			}
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Fatalf("status %d, want %d", rec.Code, tt.want)
			}
			if tt.want == http.StatusForbidden {
				if rec.Header().Get("Content-Type") != "application/problem+json" {
					t.Fatalf("not a problem: %v", rec.Header())
				}
				if tt.clientIP != "" && info.ErrorType != "ACCESS_DENIED" {
					t.Fatalf("error type %q", info.ErrorType)
				}
			}
		})
	}
}

// FuzzAllows compares the length-indexed lookup with a plain scan.
func FuzzAllows(f *testing.F) {
	f.Add([]byte{10, 1, 2, 3})
	f.Add([]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	list := []string{"10.0.0.0/8", "10.66.0.0/16", "192.0.2.7/32", "0.0.0.0/1", "2001:db8::/32", "2001:db8:bad::/48", "fc00::/7"}
	pfxs := make([]netip.Prefix, len(list))
	for i, s := range list {
		pfxs[i] = netip.MustParsePrefix(s)
	}
	set := newPrefixSet(pfxs)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		a = a.Unmap()
		want := false
		for _, p := range pfxs {
			want = want || p.Contains(a)
		}
		if got := set.contains(a); got != want {
			t.Fatalf("contains(%v) = %v, want %v", a, got, want)
		}
	})
}

func TestAllowsDoesNotAllocate(t *testing.T) {
	p, _ := New(Allow("10.0.0.0/8", "2001:db8::/32"), Deny("10.66.0.0/16"))
	a := netip.MustParseAddr("10.1.2.3")
	if n := testing.AllocsPerRun(100, func() { p.Allows(a) }); n != 0 {
		t.Fatalf("Allows allocates %.0f times", n)
	}
}

func BenchmarkAllows(b *testing.B) {
	var list []string
	for i := range 2000 {
		list = append(list, netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}).String()+"/24")
	}
	p, err := New(Allow(list...), Deny("10.0.5.0/24"))
	if err != nil {
		b.Fatal(err)
	}
	a := netip.MustParseAddr("10.7.200.9")
	b.ReportAllocs()
	for b.Loop() {
		if !p.Allows(a) {
			b.Fatal("denied")
		}
	}
}
